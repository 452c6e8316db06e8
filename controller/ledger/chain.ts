import type { Ed25519PublicJwk } from "../ed25519-jwk.ts";
import { type SignedCheckpoint, verifyCheckpointSignature } from "./checkpoint.ts";
import {
  chainFields,
  GENESIS_HASH,
  type LedgerEntry,
  type StoredEntry,
  sha256Hex,
  storedForm,
} from "./entry.ts";
import { MerkleFrontier } from "./merkle.ts";

export type ProblemKind = "modified" | "deleted" | "inserted" | "reordered" | "checkpoint";

/** The first place the ledger departs from what was written. */
export interface Problem {
  kind: ProblemKind;
  /** The sequence number of the first affected entry (for checkpoints, the tree size). */
  seq: number;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  entries: number;
  checkpointsVerified: number;
  problem?: Problem;
}

export interface ChainVerifierOptions {
  /** Checkpoints to check against the entries, any order. */
  checkpoints?: readonly SignedCheckpoint[];
  /** The key the checkpoints must be signed with; required when checkpoints are given. */
  publicKey?: Ed25519PublicJwk;
  /** Recompute each checkpoint's Merkle root too, not only its signed head hash. */
  merkle?: boolean;
  /** Verify a segment that continues after this already-trusted entry instead of from genesis. */
  after?: { seq: number; hash: string };
}

/**
 * Checks a ledger streamed in storage order: each entry's hash, its link to the one before, gapless
 * sequence numbers, and each signed checkpoint's Merkle root. Memory stays O(log n) beyond a set of seen
 * sequence numbers used only to name what went wrong.
 */
export class ChainVerifier {
  readonly #frontier = new MerkleFrontier();
  readonly #checkpoints: SignedCheckpoint[];
  readonly #publicKey: Ed25519PublicJwk | undefined;
  readonly #merkle: boolean;
  #checkpointsVerified = 0;
  /** Index of the first checkpoint the stream has not reached yet. */
  #nextCheckpoint = 0;
  #count = 0;
  #lastSeq = 0;
  #lastHash = GENESIS_HASH;
  #beforeLastHash: string | undefined;
  #problem: Problem | undefined;
  /** A sequence anomaly is named once the rest of the stream shows whether the missing entry turns up later. */
  #pendingGap: { expected: number; got: number; duplicate: boolean } | undefined;
  /** Sequence numbers seen after an anomaly; before one, they were exactly the run up to `#lastSeq`. */
  readonly #seenAfterGap = new Set<number>();
  #firstSeq: number | undefined;

  constructor(options: ChainVerifierOptions = {}) {
    this.#checkpoints = [...(options.checkpoints ?? [])].sort((a, b) => a.treeSize - b.treeSize);
    this.#publicKey = options.publicKey;
    this.#merkle = options.merkle ?? true;
    if (options.after) {
      if (this.#checkpoints.length > 0) throw new TypeError("checkpoints can only be checked from genesis");
      this.#lastSeq = options.after.seq;
      this.#lastHash = options.after.hash;
    }
    if (this.#checkpoints.length > 0 && !this.#publicKey)
      throw new TypeError("checkpoints need a public key");
    for (const c of this.#checkpoints) {
      if (!verifyCheckpointSignature(c, this.#publicKey as Ed25519PublicJwk)) {
        this.#fail({
          kind: "checkpoint",
          seq: c.treeSize,
          message: `checkpoint at tree size ${c.treeSize} has a bad signature`,
        });
      }
    }
  }

  get ok(): boolean {
    return this.#problem === undefined && this.#pendingGap === undefined;
  }

  add(entry: StoredEntry): void {
    this.#count++;
    const expectedSeq = this.#lastSeq + 1;
    if (this.#problem === undefined && this.#pendingGap === undefined) this.#check(entry, expectedSeq);
    this.#firstSeq ??= entry.seq;
    if (this.#pendingGap) this.#seenAfterGap.add(entry.seq);
    this.#beforeLastHash = this.#lastHash;
    this.#lastSeq = entry.seq;
    this.#lastHash = entry.hash;
    // Checkpoints are checked as the stream reaches them; the Merkle tree only up to the last one.
    if (this.#nextCheckpoint < this.#checkpoints.length) {
      if (this.#merkle) this.#frontier.push(Buffer.from(entry.hash, "hex"));
      this.#checkCheckpoints(entry);
    }
  }

  #check(entry: StoredEntry, expectedSeq: number): void {
    const fields = chainFields(entry.body);
    if (sha256Hex(entry.body) !== entry.hash) {
      this.#fail({
        kind: "modified",
        seq: entry.seq,
        message: `entry ${entry.seq} was modified: its content no longer matches its hash`,
      });
    } else if (fields.seq !== entry.seq) {
      this.#fail({
        kind: "modified",
        seq: entry.seq,
        message: `entry ${entry.seq} was modified: it is stored under another sequence number than it was hashed with`,
      });
    } else if (entry.seq !== expectedSeq) {
      const seenBefore =
        this.#firstSeq !== undefined && entry.seq >= this.#firstSeq && entry.seq <= this.#lastSeq;
      this.#pendingGap = { expected: expectedSeq, got: entry.seq, duplicate: seenBefore };
    } else if (fields.prevHash !== this.#lastHash) {
      if (fields.prevHash === this.#beforeLastHash) {
        this.#fail({
          kind: "inserted",
          seq: this.#lastSeq,
          message: `entry ${this.#lastSeq} was inserted: entry ${entry.seq} links to the entry before it`,
        });
      } else {
        this.#fail({
          kind: "modified",
          seq: this.#lastSeq,
          message: `entry ${this.#lastSeq} was rewritten or replaced: entry ${entry.seq} does not link to it`,
        });
      }
    }
  }

  #checkCheckpoints(entry: StoredEntry): void {
    for (
      let c = this.#checkpoints[this.#nextCheckpoint];
      c && c.treeSize <= this.#count;
      c = this.#checkpoints[++this.#nextCheckpoint]
    ) {
      const matches =
        c.treeSize === entry.seq &&
        c.headHash === entry.hash &&
        (!this.#merkle || this.#frontier.root().toString("hex") === c.rootHash);
      if (matches) this.#checkpointsVerified++;
      else
        this.#fail({
          kind: "checkpoint",
          seq: c.treeSize,
          message: `the first ${c.treeSize} entries no longer match the checkpoint signed at ${c.signedAt}: an entry at or before ${c.treeSize} was rewritten`,
        });
    }
  }

  #fail(problem: Problem): void {
    if (this.#problem === undefined || problem.seq < this.#problem.seq) this.#problem = problem;
  }

  /** Ends the stream; `head` is the tip the ledger claims (head row or latest checkpoint), if known. */
  finish(head?: { seq: number; hash?: string }): VerifyReport {
    if (this.#pendingGap) {
      const { expected, got, duplicate } = this.#pendingGap;
      if (got < expected) {
        const kind = duplicate ? "inserted" : "reordered";
        this.#fail({
          kind,
          seq: got,
          message: `entry ${got} appears after entry ${expected - 1}: ${kind === "inserted" ? "a duplicate was inserted" : "entries are out of order"}`,
        });
      } else if (this.#seenAfterGap.has(expected)) {
        this.#fail({
          kind: "reordered",
          seq: expected,
          message: `entry ${expected} is out of order: entry ${got} comes before it`,
        });
      } else {
        this.#fail({
          kind: "deleted",
          seq: expected,
          message: `entries ${expected}..${got - 1} are missing`,
        });
      }
      this.#pendingGap = undefined;
    }
    const lastCheckpoint = this.#checkpoints.at(-1);
    const claimed = Math.max(head?.seq ?? 0, lastCheckpoint?.treeSize ?? 0);
    if (head && this.#lastSeq > head.seq) {
      this.#fail({
        kind: "inserted",
        seq: head.seq + 1,
        message: `entries ${head.seq + 1}..${this.#lastSeq} lie beyond the recorded head`,
      });
    } else if (claimed > this.#lastSeq) {
      this.#fail({
        kind: "deleted",
        seq: this.#lastSeq + 1,
        message: `entries ${this.#lastSeq + 1}..${claimed} are missing from the end`,
      });
    } else if (head?.hash !== undefined && head.seq === this.#lastSeq && head.hash !== this.#lastHash) {
      this.#fail({
        kind: "modified",
        seq: head.seq,
        message: `entry ${head.seq} was rewritten: it no longer matches the recorded head`,
      });
    }
    for (const c of this.#checkpoints) {
      if (c.treeSize > this.#count && !this.#problem) {
        this.#fail({
          kind: "deleted",
          seq: this.#count + 1,
          message: `checkpoint at tree size ${c.treeSize} covers entries that are missing`,
        });
      }
    }
    return {
      ok: this.#problem === undefined,
      entries: this.#count,
      checkpointsVerified: this.#checkpointsVerified,
      ...(this.#problem ? { problem: this.#problem } : {}),
    };
  }
}

/** Verifies a whole in-memory chain given as entries (each re-encoded canonically, so fields are checked too). */
export function verifyChain(
  entries: Iterable<LedgerEntry>,
  options: ChainVerifierOptions & { head?: { seq: number; hash?: string } } = {},
): VerifyReport {
  const verifier = new ChainVerifier(options);
  for (const entry of entries) verifier.add(storedForm(entry));
  return verifier.finish(options.head);
}
