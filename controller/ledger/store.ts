import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import type { Tx } from "../db/database.ts";
import { ledgerEntries, ledgerHead } from "../db/schema.ts";
import { canonicalEntry, type EntryInput, type LedgerEntry, linkEntries, type StoredEntry } from "./entry.ts";

/** Serialises appenders across processes; the insert trigger refuses anyone who skips it. */
const APPEND_LOCK = 7300002;

/**
 * Chains and inserts validated entries inside the caller's transaction (which must run as the application
 * role: `asPlatform` or `withTenant`), so a caller can make its own writes and their ledger entries atomic.
 */
export async function appendInTransaction(
  tx: Tx,
  inputs: readonly EntryInput[],
  now: Date,
): Promise<LedgerEntry[]> {
  await tx.execute(sql`select pg_advisory_xact_lock(${APPEND_LOCK})`);
  const [head] = await tx.select().from(ledgerHead).where(eq(ledgerHead.id, 1));
  if (!head) throw new Error("the ledger head row is missing: was the database migrated?");
  const entries = linkEntries(inputs, head, now.toISOString());
  await tx
    .insert(ledgerEntries)
    .values(entries.map((e) => ({ seq: e.seq, body: canonicalEntry(e), hash: e.hash })));
  return entries;
}

export async function readHead(tx: Tx): Promise<{ seq: number; hash: string }> {
  const [head] = await tx.select({ seq: ledgerHead.seq, hash: ledgerHead.hash }).from(ledgerHead);
  return head ?? { seq: 0, hash: "" };
}

/**
 * Stored entries with `afterSeq < seq <= throughSeq` in chain order, optionally one tenant's. Pages are
 * bounded by sequence range rather than LIMIT: the chain is gapless, and a bounded range keeps every plan
 * cheap even when the planner has no statistics (PGlite never runs autovacuum).
 */
export function readStored(
  tx: Tx,
  range: { afterSeq: number; throughSeq: number; tenant?: string },
): Promise<StoredEntry[]> {
  return tx
    .select({ seq: ledgerEntries.seq, body: ledgerEntries.body, hash: ledgerEntries.hash })
    .from(ledgerEntries)
    .where(
      and(
        gt(ledgerEntries.seq, range.afterSeq),
        lte(ledgerEntries.seq, range.throughSeq),
        range.tenant === undefined ? undefined : eq(ledgerEntries.tenantId, range.tenant),
      ),
    )
    .orderBy(asc(ledgerEntries.seq));
}

/** The entry hashes of the first `treeSize` entries: the Merkle tree's leaves. */
export async function readLeaves(tx: Tx, treeSize: number): Promise<Buffer[]> {
  const rows = await tx
    .select({ hash: ledgerEntries.hash })
    .from(ledgerEntries)
    .where(lte(ledgerEntries.seq, treeSize))
    .orderBy(asc(ledgerEntries.seq));
  return rows.map((r) => Buffer.from(r.hash, "hex"));
}
