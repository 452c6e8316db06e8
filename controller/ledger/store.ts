import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import type { Tx } from "../db/database.ts";
import { ledgerEntries, ledgerHead } from "../db/schema.ts";
import { type EntryInput, type LedgerEntry, linkEntries } from "./entry.ts";

/** Serialises appenders across processes; the insert trigger refuses anyone who skips it. */
const APPEND_LOCK = 7300002;

type Row = typeof ledgerEntries.$inferSelect;

export function entryFromRow(row: Row): LedgerEntry {
  return {
    seq: row.seq,
    ts: row.ts.toISOString(),
    tenant: row.tenantId,
    actor: row.actor,
    action: row.action,
    resource: row.resource,
    payload: row.payload as LedgerEntry["payload"],
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

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
  await tx.insert(ledgerEntries).values(
    entries.map((e) => ({
      seq: e.seq,
      ts: now,
      tenantId: e.tenant,
      actor: e.actor,
      action: e.action,
      resource: e.resource,
      payload: e.payload,
      prevHash: e.prevHash,
      hash: e.hash,
    })),
  );
  return entries;
}

export async function readHead(tx: Tx): Promise<{ seq: number; hash: string }> {
  const [head] = await tx.select({ seq: ledgerHead.seq, hash: ledgerHead.hash }).from(ledgerHead);
  return head ?? { seq: 0, hash: "" };
}

/** One page of entries after `afterSeq` in chain order, optionally one tenant's, up to `untilSeq`. */
export async function readEntries(
  tx: Tx,
  page: { afterSeq: number; limit: number; tenant?: string; untilSeq?: number },
): Promise<LedgerEntry[]> {
  const rows = await tx
    .select()
    .from(ledgerEntries)
    .where(
      and(
        gt(ledgerEntries.seq, page.afterSeq),
        page.untilSeq === undefined ? undefined : lte(ledgerEntries.seq, page.untilSeq),
        page.tenant === undefined ? undefined : eq(ledgerEntries.tenantId, page.tenant),
      ),
    )
    .orderBy(asc(ledgerEntries.seq))
    .limit(page.limit);
  return rows.map(entryFromRow);
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
