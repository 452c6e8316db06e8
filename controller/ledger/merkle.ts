import { createHash, hash } from "node:crypto";

/**
 * RFC 9162 (Certificate Transparency v2) Merkle tree over the ledger: the leaves are the entries' hashes,
 * so a checkpoint's root commits to every entry and proofs need only 32-byte hashes.
 */

// One-shot hashing over a reused scratch buffer: verifiers hash two nodes per entry, so this is hot.
const scratch = Buffer.alloc(65);

export function leafHash(data: Buffer): Buffer {
  if (data.length !== 32)
    return createHash("sha256")
      .update(Buffer.from([0]))
      .update(data)
      .digest();
  scratch[0] = 0;
  data.copy(scratch, 1);
  return hash("sha256", scratch.subarray(0, 33), "buffer");
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  scratch[0] = 1;
  left.copy(scratch, 1);
  right.copy(scratch, 33);
  return hash("sha256", scratch, "buffer");
}

const EMPTY_ROOT = createHash("sha256").digest();

/** Largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The right edge of a tree as it grows: one perfect subtree per set bit of the size. Appending is
 * amortised O(1) and the root is O(log n), so verifiers stream entries without holding the tree.
 */
export class MerkleFrontier {
  #stack: { height: number; hash: Buffer }[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(leaf: Buffer): void {
    let node = { height: 0, hash: leafHash(leaf) };
    for (let top = this.#stack.at(-1); top && top.height === node.height; top = this.#stack.at(-1)) {
      this.#stack.pop();
      node = { height: node.height + 1, hash: nodeHash(top.hash, node.hash) };
    }
    this.#stack.push(node);
    this.#size++;
  }

  root(): Buffer {
    const last = this.#stack.at(-1);
    if (!last) return EMPTY_ROOT;
    let root = last.hash;
    for (let i = this.#stack.length - 2; i >= 0; i--)
      root = nodeHash((this.#stack[i] as { hash: Buffer }).hash, root);
    return root;
  }
}

/**
 * A whole tree held in memory for proving. Hashes of perfect, aligned subtrees are precomputed level by
 * level, so MTH of any range a proof needs costs O(log n) instead of O(n).
 */
export class MerkleTree {
  /** levels[h][i] = hash of the perfect subtree of 2^h leaves starting at leaf i·2^h. */
  readonly #levels: Buffer[][];

  constructor(leaves: readonly Buffer[]) {
    let level = leaves.map(leafHash);
    this.#levels = [level];
    while (level.length > 1) {
      const next: Buffer[] = [];
      for (let i = 0; i + 1 < level.length; i += 2)
        next.push(nodeHash(level[i] as Buffer, level[i + 1] as Buffer));
      this.#levels.push(next);
      level = next;
    }
  }

  get size(): number {
    return (this.#levels[0] as Buffer[]).length;
  }

  /** MTH(D[lo:hi]) of RFC 9162 §2.1.1. */
  root(lo = 0, hi = this.size): Buffer {
    const n = hi - lo;
    if (n === 0) return EMPTY_ROOT;
    if ((n & (n - 1)) === 0 && lo % n === 0) {
      const cached = this.#levels[Math.log2(n)]?.[lo / n];
      if (cached) return cached;
    }
    const k = splitPoint(n);
    return nodeHash(this.root(lo, lo + k), this.root(lo + k, hi));
  }

  /** PATH(m, D[n]) of RFC 9162 §2.1.3.1: the audit path for leaf `index`. */
  inclusionProof(index: number, lo = 0, hi = this.size): Buffer[] {
    if (index < 0 || index >= hi - lo) throw new RangeError(`leaf ${index} is outside a tree of ${hi - lo}`);
    if (hi - lo === 1) return [];
    const k = splitPoint(hi - lo);
    return index < k
      ? [...this.inclusionProof(index, lo, lo + k), this.root(lo + k, hi)]
      : [...this.inclusionProof(index - k, lo + k, hi), this.root(lo, lo + k)];
  }

  /** PROOF(m, D[n]) of RFC 9162 §2.1.4.1: proves the tree of the first `oldSize` leaves is a prefix of this one. */
  consistencyProof(oldSize: number): Buffer[] {
    if (oldSize < 1 || oldSize > this.size)
      throw new RangeError(`no consistency proof from ${oldSize} to ${this.size}`);
    const sub = (m: number, lo: number, hi: number, whole: boolean): Buffer[] => {
      if (m === hi - lo) return whole ? [] : [this.root(lo, hi)];
      const k = splitPoint(hi - lo);
      return m <= k
        ? [...sub(m, lo, lo + k, whole), this.root(lo + k, hi)]
        : [...sub(m - k, lo + k, hi, false), this.root(lo, lo + k)];
    };
    return sub(oldSize, 0, this.size, true);
  }
}

/** RFC 9162 §2.1.3.2: does `proof` show that `leaf` sits at `index` of the tree of `size` with `root`? */
export function verifyInclusion(
  leaf: Buffer,
  index: number,
  size: number,
  proof: readonly Buffer[],
  root: Buffer,
): boolean {
  if (index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (`oldSize`, `oldRoot`) is a prefix of (`newSize`, `newRoot`)? */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  proof: readonly Buffer[],
  oldRoot: Buffer,
  newRoot: Buffer,
): boolean {
  if (oldSize < 1 || oldSize > newSize) return false;
  if (oldSize === newSize) return proof.length === 0 && oldRoot.equals(newRoot);
  const path = (oldSize & (oldSize - 1)) === 0 ? [oldRoot, ...proof] : [...proof];
  if (path.length === 0) return false;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Buffer;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(oldRoot) && sr.equals(newRoot) && sn === 0;
}
