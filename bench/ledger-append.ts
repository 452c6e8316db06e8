import { sql } from "drizzle-orm";
import postgres from "postgres";
import { type Database, openDatabase } from "../controller/db/database.ts";
import { migrateDatabase } from "../controller/db/migrate.ts";
import { asPlatform } from "../controller/db/scope.ts";
import { generateLedgerKeys } from "../controller/ledger/keys.ts";
import { Ledger } from "../controller/ledger/ledger.ts";
import { fmt, timed } from "./stats.ts";

export interface AppendFigures {
  backend: string;
  appenders: number;
  plainPerSec: number;
  ledgerPerSec: number;
  unbatchedPerSec: number;
}

const row = (i: number, who: number) => ({
  tenant: i % 4 === 0 ? null : "acme",
  actor: `agent-${who}`,
  action: "intent.recorded",
  resource: `github:repository:acme-app-${i}`,
  payload: {
    tool: "repos_create_repository",
    args: { name: `acme-app-${i}`, private: true },
    grant: `g-${who}-${i}`,
  },
});

/** Runs `appenders` concurrent loops of `perAppender` calls each; returns calls per second. */
async function rate(
  appenders: number,
  perAppender: number,
  call: (i: number, who: number) => Promise<unknown>,
) {
  const { ms } = await timed(() =>
    Promise.all(
      Array.from({ length: appenders }, async (_, who) => {
        for (let i = 0; i < perAppender; i++) await call(i, who);
      }),
    ),
  );
  return (appenders * perAppender * 1000) / ms;
}

/**
 * Ledger appends against a plain INSERT of the same rows into a copy of the table without the chain
 * (same columns and indexes, no triggers, no hashing, no lock), both as the application role.
 */
export async function benchLedgerAppend(
  database: Database,
  backend: string,
  perAppender: number,
): Promise<AppendFigures[]> {
  await database.db.execute(sql`create table if not exists bench_plain (like ledger_entries including all)`);
  await database.db.execute(sql`grant select, insert on bench_plain to factory_app`);
  const keys = generateLedgerKeys();
  const batched = new Ledger(database.db, { keys });
  const unbatched = new Ledger(database.db, { keys, maxBatch: 1 });
  let plainSeq = 0;
  const plainInsert = (i: number, who: number) => {
    const r = row(i, who);
    const seq = ++plainSeq;
    return asPlatform(database.db, (tx) =>
      tx.execute(sql`insert into bench_plain (seq, ts, tenant_id, actor, action, resource, payload, prev_hash, hash)
        values (${seq}, now(), ${r.tenant}, ${r.actor}, ${r.action}, ${r.resource}, ${JSON.stringify(r.payload)}::jsonb, ${"0".repeat(64)}, ${`${seq}`.padStart(64, "0")})`),
    );
  };
  const figures: AppendFigures[] = [];
  for (const appenders of [1, 8]) {
    // Warm up each path once so JIT and connection setup are not measured.
    await rate(appenders, 5, plainInsert);
    await rate(appenders, 5, (i, who) => batched.append(row(i, who)));
    const plainPerSec = await rate(appenders, perAppender, plainInsert);
    const ledgerPerSec = await rate(appenders, perAppender, (i, who) => batched.append(row(i, who)));
    const unbatchedPerSec = await rate(appenders, perAppender, (i, who) => unbatched.append(row(i, who)));
    figures.push({ backend, appenders, plainPerSec, ledgerPerSec, unbatchedPerSec });
  }
  const report = await batched.verify();
  if (!report.ok) throw new Error(`the benchmark broke the chain: ${report.problem?.message}`);
  return figures;
}

export function formatAppend(figures: AppendFigures[]): Record<string, string | number>[] {
  return figures.map((f) => ({
    backend: f.backend,
    appenders: f.appenders,
    "plain INSERT/s": fmt(f.plainPerSec),
    "ledger append/s": fmt(f.ledgerPerSec),
    ratio: `${fmt((100 * f.ledgerPerSec) / f.plainPerSec)}%`,
    "unbatched/s": fmt(f.unbatchedPerSec),
    "unbatched ratio": `${fmt((100 * f.unbatchedPerSec) / f.plainPerSec)}%`,
  }));
}

/** PGlite in memory, and a throwaway database on the PostgreSQL server at `adminUrl` when one answers. */
export async function appendBackends(
  adminUrl: string | undefined,
): Promise<{ name: string; database: Database; dispose(): Promise<void> }[]> {
  const pglite = await openDatabase({ kind: "pglite" });
  await migrateDatabase(pglite);
  const list = [{ name: "pglite", database: pglite, dispose: () => pglite.close() }];
  if (!adminUrl) return list;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 3 });
  const name = `sf_bench_${process.pid}`;
  try {
    await admin.unsafe(`create database ${name}`);
  } catch (error) {
    process.stderr.write(`skipping PostgreSQL: ${(error as Error).message}\n`);
    await admin.end();
    return list;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: "postgres", url: url.toString(), maxConnections: 10 });
  await migrateDatabase(database);
  list.push({
    name: "postgresql",
    database,
    async dispose() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  });
  return list;
}
