import { hash } from "node:crypto";
import type { Database } from "../controller/db/database.ts";
import { asPlatform } from "../controller/db/scope.ts";
import { ChainVerifier, verifyChain } from "../controller/ledger/chain.ts";
import {
  type EntryInput,
  GENESIS_HASH,
  type LedgerEntry,
  linkEntries,
  storedForm,
} from "../controller/ledger/entry.ts";
import type { LedgerKeys } from "../controller/ledger/keys.ts";
import { Ledger } from "../controller/ledger/ledger.ts";
import { appendInTransaction } from "../controller/ledger/store.ts";
import { fmt, timed } from "./stats.ts";

const input = (i: number): EntryInput => ({
  tenant: i % 3 === 0 ? null : i % 3 === 1 ? "acme" : "globex",
  actor: `agent-${i % 17}`,
  action: "intent.recorded",
  resource: `github:repository:acme-app-${i % 100}`,
  payload: {
    tool: "repos_create_repository",
    args: { name: `acme-app-${i}`, private: true },
    outcome: { id: i },
  },
});

export interface VerifyFigures {
  entries: number;
  megabytes: number;
  rows: { what: string; ms: number }[];
}

/** Loads `n` entries into a migrated, empty database (as the ledger writes them) and verifies them from it. */
async function stored(
  database: Database,
  name: string,
  n: number,
  keys: LedgerKeys,
): Promise<{ what: string; ms: number }[]> {
  const start = new Date("2026-01-01T00:00:00.000Z");
  for (let i = 0; i < n; i += 2000) {
    const batch = Array.from({ length: Math.min(2000, n - i) }, (_, k) => input(i + k));
    await asPlatform(database.db, (tx) => appendInTransaction(tx, batch, start));
  }
  const ledger = new Ledger(database.db, { keys });
  await ledger.checkpoint();
  const read = await timed(async () => {
    let count = 0;
    for await (const _ of ledger.stream()) count++;
    return count;
  });
  const verified = await timed(() => ledger.verify());
  if (!verified.value.ok || verified.value.entries !== n)
    throw new Error(`stored chain did not verify on ${name}`);
  return [
    { what: `verify stored (${name}), incl. reading`, ms: verified.ms },
    { what: `read and decode every entry (${name})`, ms: read.ms },
  ];
}

/**
 * Verifying `n` entries against raw SHA-256 over the same canonical bytes (one hash per entry, as any
 * verifier must do): the verifier's own work in memory, the bundle path that re-encodes every entry, and
 * the whole `factory audit verify` from each of `databases` (migrated and empty).
 */
export async function benchLedgerVerify(
  n: number,
  databases: { name: string; database: Database }[],
  keys: LedgerKeys,
): Promise<VerifyFigures> {
  const entries: LedgerEntry[] = linkEntries(
    Array.from({ length: n }, (_, i) => input(i)),
    { seq: 0, hash: GENESIS_HASH },
    "2026-01-01T00:00:00.000Z",
  );
  const records = entries.map(storedForm);
  const bytes = records.map((r) => Buffer.from(r.body));
  const megabytes = bytes.reduce((s, b) => s + b.length, 0) / 1e6;

  // The fastest way Node offers to SHA-256 each entry's bytes: the floor for any verifier.
  const raw = await timed(async () => {
    for (const b of bytes) hash("sha256", b, "hex");
  });
  const core = await timed(async () => {
    const verifier = new ChainVerifier();
    for (const r of records) verifier.add(r);
    return verifier.finish();
  });
  const bundle = await timed(async () => verifyChain(entries));
  if (!core.value.ok || !bundle.value.ok) throw new Error("generated chain did not verify");

  const rows = [
    { what: "raw SHA-256 (baseline)", ms: raw.ms },
    { what: "verify stored bodies in memory", ms: core.ms },
    { what: "verify entries, re-encoding (bundle)", ms: bundle.ms },
  ];
  for (const { name, database } of databases) rows.push(...(await stored(database, name, n, keys)));
  return { entries: n, megabytes, rows: rows.map((r) => ({ ...r, baseline: raw.ms })) };
}

export function formatVerify(f: VerifyFigures): Record<string, string | number>[] {
  const baseline = f.rows[0]?.ms ?? Number.NaN;
  return f.rows.map((r) => ({
    what: r.what,
    "time ms": fmt(r.ms),
    "MB/s": fmt(f.megabytes / (r.ms / 1000), 1),
    "speed vs raw SHA-256": `${fmt((100 * baseline) / r.ms)}%`,
  }));
}
