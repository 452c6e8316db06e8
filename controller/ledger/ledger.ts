import { asc, desc } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/database.ts";
import { ledgerCheckpoints } from "../db/schema.ts";
import { asPlatform } from "../db/scope.ts";
import { ChainVerifier, type VerifyReport } from "./chain.ts";
import { type SignedCheckpoint, signCheckpoint } from "./checkpoint.ts";
import { EntryInput, entryFromStored, type LedgerEntry, type StoredEntry } from "./entry.ts";
import { LedgerInputError, LedgerStorageError, LedgerTamperedError } from "./errors.ts";
import type { LedgerKeys } from "./keys.ts";
import { MerkleFrontier, MerkleTree } from "./merkle.ts";
import { type PayloadInput, redactSensitive } from "./sensitive.ts";
import { appendInTransaction, readHead, readLeaves, readStored } from "./store.ts";

/** What a writer hands the ledger; payload values wrapped with `sensitive()` are stored as keyed HMACs. */
export type AppendInput = Omit<EntryInput, "payload"> & { payload?: PayloadInput };

export interface LedgerOptions {
  keys: LedgerKeys;
  clock?: () => Date;
  /** Most entries one transaction writes when appenders queue up. */
  maxBatch?: number;
}

/** Proofs against one tree of the ledger, as hex hashes. */
export class LedgerProver {
  constructor(readonly tree: MerkleTree) {}

  /** The audit path proving entry `seq` is in this tree. */
  inclusion(seq: number): string[] {
    return this.tree.inclusionProof(seq - 1).map((b) => b.toString("hex"));
  }

  /** Proves the tree of the first `oldSize` entries is a prefix of this one. */
  consistency(oldSize: number): string[] {
    return this.tree.consistencyProof(oldSize).map((b) => b.toString("hex"));
  }
}

interface Pending {
  input: EntryInput;
  resolve(entry: LedgerEntry): void;
  reject(error: unknown): void;
}

const PAGE = 5000;

/**
 * The tamper-evident audit log. Concurrent `append` calls in one process are grouped into one transaction
 * (group commit); across processes an advisory lock and the insert trigger keep the chain linear.
 */
export class Ledger {
  readonly #db: Db;
  readonly #keys: LedgerKeys;
  readonly #clock: () => Date;
  readonly #maxBatch: number;
  #queue: Pending[] = [];
  #draining = false;

  constructor(db: Db, options: LedgerOptions) {
    this.#db = db;
    this.#keys = options.keys;
    this.#clock = options.clock ?? (() => new Date());
    this.#maxBatch = options.maxBatch ?? 256;
  }

  get publicJwk() {
    return this.#keys.publicJwk;
  }

  /** Validates and redacts an entry without writing it; throws LedgerInputError naming the bad field. */
  prepare(input: AppendInput): EntryInput {
    let redacted: unknown;
    try {
      redacted = { ...input, payload: redactSensitive(input.payload ?? {}, this.#keys.hmac) };
    } catch (error) {
      throw new LedgerInputError(`invalid ledger entry: ${(error as Error).message}`);
    }
    const parsed = EntryInput.safeParse(redacted);
    if (!parsed.success)
      throw new LedgerInputError(`invalid ledger entry:\n${z.prettifyError(parsed.error)}`);
    return parsed.data;
  }

  /** Appends one entry; resolves once it is committed, with its sequence number and hash. */
  append(input: AppendInput): Promise<LedgerEntry> {
    const prepared = this.prepare(input);
    return new Promise((resolve, reject) => {
      this.#queue.push({ input: prepared, resolve, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      try {
        const written = await asPlatform(this.#db, (tx) =>
          appendInTransaction(
            tx,
            batch.map((p) => p.input),
            this.#clock(),
          ),
        );
        for (const [i, p] of batch.entries()) p.resolve(written[i] as LedgerEntry);
      } catch (cause) {
        const error = new LedgerStorageError(`appending ${batch.length} ledger entries failed`, { cause });
        for (const p of batch) p.reject(error);
      }
    }
    this.#draining = false;
  }

  head(): Promise<{ seq: number; hash: string }> {
    return asPlatform(this.#db, readHead);
  }

  /** Up to `limit` entries after `afterSeq`, optionally one tenant's. */
  async entries(page: { afterSeq?: number; limit?: number; tenant?: string }): Promise<LedgerEntry[]> {
    const limit = Math.min(page.limit ?? 100, PAGE);
    const out: LedgerEntry[] = [];
    for await (const entry of this.stream({ afterSeq: page.afterSeq ?? 0, ...pick(page) })) {
      out.push(entry);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Every entry in chain order (optionally one tenant's, between `afterSeq` and `untilSeq`), a page at a time. */
  async *stream(
    filter: { tenant?: string; afterSeq?: number; untilSeq?: number } = {},
  ): AsyncGenerator<LedgerEntry> {
    for await (const page of this.#pages(filter)) for (const stored of page) yield entryFromStored(stored);
  }

  /**
   * Stored entries a page at a time, the next page already being fetched while the caller works on this one.
   * Consumers that loop synchronously over a page also skip a microtask per entry.
   */
  async *#pages(filter: {
    tenant?: string;
    afterSeq?: number;
    untilSeq?: number;
  }): AsyncGenerator<StoredEntry[]> {
    const end = filter.untilSeq ?? (await this.head()).seq;
    const fetch = (from: number) =>
      asPlatform(this.#db, (tx) =>
        readStored(tx, { afterSeq: from, throughSeq: Math.min(from + PAGE, end), ...pick(filter) }),
      );
    let from = filter.afterSeq ?? 0;
    let next = from < end ? fetch(from) : undefined;
    while (next) {
      const page = await next;
      from += PAGE;
      next = from < end ? fetch(from) : undefined;
      yield page;
    }
  }

  checkpoints(): Promise<SignedCheckpoint[]> {
    return asPlatform(this.#db, async (tx) => {
      const rows = await tx.select().from(ledgerCheckpoints).orderBy(asc(ledgerCheckpoints.treeSize));
      return rows.map((r) => ({ ...r, signedAt: r.signedAt.toISOString() }));
    });
  }

  /**
   * Signs a checkpoint over every entry so far, after checking that the entries since the previous
   * checkpoint still chain. Returns the latest checkpoint unchanged when nothing was appended since.
   */
  async checkpoint(): Promise<SignedCheckpoint | undefined> {
    return asPlatform(this.#db, async (tx) => {
      const head = await readHead(tx);
      const [latest] = await tx
        .select()
        .from(ledgerCheckpoints)
        .orderBy(desc(ledgerCheckpoints.treeSize))
        .limit(1);
      if (head.seq === 0) return undefined;
      if (latest && latest.treeSize >= head.seq)
        return { ...latest, signedAt: latest.signedAt.toISOString() };
      const leaves = await readLeaves(tx, head.seq);
      const from = latest?.treeSize ?? 0;
      const segment = await readStored(tx, { afterSeq: Math.max(0, from - 1), throughSeq: head.seq });
      assertSegmentChains(segment, from === 0);
      const frontier = new MerkleFrontier();
      for (const leaf of leaves) frontier.push(leaf);
      const signed = signCheckpoint(
        this.#keys.signingKey,
        { treeSize: head.seq, rootHash: frontier.root().toString("hex"), headHash: head.hash },
        this.#clock(),
      );
      await tx
        .insert(ledgerCheckpoints)
        .values({ ...signed, signedAt: new Date(signed.signedAt) })
        .onConflictDoNothing();
      return signed;
    });
  }

  /** Loads the tree of the first `treeSize` entries once, to answer many inclusion or consistency proofs. */
  prover(treeSize: number): Promise<LedgerProver> {
    return asPlatform(this.#db, async (tx) => {
      const leaves = await readLeaves(tx, treeSize);
      if (leaves.length !== treeSize) throw new RangeError(`the ledger holds fewer than ${treeSize} entries`);
      return new LedgerProver(new MerkleTree(leaves));
    });
  }

  /**
   * Checks every entry, the chain, the head and every checkpoint's signature and head hash; reports the first
   * departure. With `merkle`, also recomputes every checkpoint's Merkle root (two more hashes per entry).
   */
  async verify(
    options: { merkle?: boolean; onProgress?: (verified: number, total: number) => void } = {},
  ): Promise<VerifyReport> {
    const [head, checkpoints] = await Promise.all([this.head(), this.checkpoints()]);
    const verifier = new ChainVerifier({
      checkpoints,
      publicKey: this.#keys.publicJwk,
      merkle: options.merkle ?? false,
    });
    let n = 0;
    for await (const page of this.#pages({ untilSeq: head.seq })) {
      for (const entry of page) verifier.add(entry);
      n += page.length;
      options.onProgress?.(n, head.seq);
    }
    return verifier.finish(head);
  }
}

function pick(page: { tenant?: string }): { tenant?: string } {
  return page.tenant === undefined ? {} : { tenant: page.tenant };
}

/** Entries after a verified checkpoint (the first entry given is its last, the anchor) must hash and link. */
function assertSegmentChains(segment: readonly StoredEntry[], fromGenesis: boolean): void {
  const [anchor, ...rest] = segment;
  const verifier = fromGenesis || !anchor ? new ChainVerifier() : new ChainVerifier({ after: anchor });
  for (const entry of fromGenesis ? segment : rest) verifier.add(entry);
  const report = verifier.finish();
  if (report.problem) throw new LedgerTamperedError(report.problem);
}
