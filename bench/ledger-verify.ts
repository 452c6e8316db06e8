import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { openDatabase } from "../controller/db/database.ts";
import { migrateDatabase } from "../controller/db/migrate.ts";
import { asPlatform } from "../controller/db/scope.ts";
import { verifyChain } from "../controller/ledger/chain.ts";
import { type EntryInput, GENESIS_HASH, type LedgerEntry, linkEntries } from "../controller/ledger/entry.ts";
import { generateLedgerKeys } from "../controller/ledger/keys.ts";
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
  rawSha256Ms: number;
  verifyMs: number;
  storedVerifyMs: number;
}

/**
 * Verifying `n` entries: the chain verifier in memory and from PGlite, against raw SHA-256 over the same
 * canonical bytes (one hash per entry, as any verifier must do).
 */
export async function benchLedgerVerify(n: number): Promise<VerifyFigures> {
  const entries: LedgerEntry[] = linkEntries(
    Array.from({ length: n }, (_, i) => input(i)),
    { seq: 0, hash: GENESIS_HASH },
    "2026-01-01T00:00:00.000Z",
  );
  const bodies = entries.map(({ hash: _hash, ...body }) => Buffer.from(canonicalize(body) as string));
  const megabytes = bodies.reduce((s, b) => s + b.length, 0) / 1e6;

  const raw = await timed(async () => {
    for (const b of bodies) createHash("sha256").update(b).digest("hex");
  });
  const verify = await timed(async () => verifyChain(entries));
  if (!verify.value.ok) throw new Error("generated chain did not verify");

  const database = await openDatabase({ kind: "pglite" });
  await migrateDatabase(database);
  const start = new Date("2026-01-01T00:00:00.000Z");
  for (let i = 0; i < n; i += 2000) {
    const batch = Array.from({ length: Math.min(2000, n - i) }, (_, k) => input(i + k));
    await asPlatform(database.db, (tx) => appendInTransaction(tx, batch, start));
  }
  const ledger = new Ledger(database.db, { keys: generateLedgerKeys() });
  await ledger.checkpoint();
  const stored = await timed(() => ledger.verify());
  await database.close();
  if (!stored.value.ok || stored.value.entries !== n) throw new Error("stored chain did not verify");
  return { entries: n, megabytes, rawSha256Ms: raw.ms, verifyMs: verify.ms, storedVerifyMs: stored.ms };
}

export function formatVerify(f: VerifyFigures): Record<string, string | number>[] {
  const mbps = (ms: number) => fmt(f.megabytes / (ms / 1000), 1);
  return [
    {
      what: "raw SHA-256 (baseline)",
      "time ms": fmt(f.rawSha256Ms),
      "MB/s": mbps(f.rawSha256Ms),
      "vs raw": "100%",
    },
    {
      what: "verify chain in memory",
      "time ms": fmt(f.verifyMs),
      "MB/s": mbps(f.verifyMs),
      "vs raw": `${fmt((100 * f.rawSha256Ms) / f.verifyMs)}%`,
    },
    {
      what: "verify stored (PGlite)",
      "time ms": fmt(f.storedVerifyMs),
      "MB/s": mbps(f.storedVerifyMs),
      "vs raw": `${fmt((100 * f.rawSha256Ms) / f.storedVerifyMs)}%`,
    },
  ];
}
