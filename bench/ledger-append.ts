import { sql } from "drizzle-orm";
import type { Database } from "../controller/db/database.ts";
import { asPlatform } from "../controller/db/scope.ts";
import type { LedgerKeys } from "../controller/ledger/keys.ts";
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
 * (same columns, generated columns and indexes; no triggers, hashing or lock), both as the application role.
 */
export async function benchLedgerAppend(
  database: Database,
  backend: string,
  perAppender: number,
  keys: LedgerKeys,
): Promise<AppendFigures[]> {
  await database.db.execute(sql`create table if not exists bench_plain (like ledger_entries including all)`);
  await database.db.execute(sql`grant select, insert on bench_plain to factory_app`);
  const batched = new Ledger(database.db, { keys });
  const unbatched = new Ledger(database.db, { keys, maxBatch: 1 });
  let plainSeq = 0;
  // The same row (same generated columns and indexes) without chaining, hashing, lock or trigger.
  const plainInsert = (i: number, who: number) => {
    const seq = ++plainSeq;
    const body = JSON.stringify({
      ...row(i, who),
      seq,
      ts: new Date().toISOString(),
      prevHash: "0".repeat(64),
    });
    return asPlatform(database.db, (tx) =>
      tx.execute(
        sql`insert into bench_plain (seq, body, hash) values (${seq}, ${body}, ${String(seq).padStart(64, "0")})`,
      ),
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
