import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MerkleFrontier, MerkleTree, verifyConsistency, verifyInclusion } from "./merkle.ts";

const leavesOf = (n: number, salt: number) =>
  Array.from({ length: n }, (_, i) => createHash("sha256").update(`${salt}:${i}`).digest());
const sizes = fc.integer({ min: 1, max: 300 });

describe("RFC 9162 Merkle tree (property-based)", () => {
  it("matches the RFC 6962 test vector for the empty tree and one leaf", () => {
    expect(new MerkleTree([]).root().toString("hex")).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    // RFC 6962 reference: leaf "" hashes to SHA-256(0x00).
    expect(new MerkleTree([Buffer.alloc(0)]).root().toString("hex")).toBe(
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    );
  });

  it("computes the same root streaming as from the whole tree", () => {
    fc.assert(
      fc.property(sizes, fc.nat(), (n, salt) => {
        const leaves = leavesOf(n, salt);
        const frontier = new MerkleFrontier();
        for (const leaf of leaves) frontier.push(leaf);
        expect(frontier.root().equals(new MerkleTree(leaves).root())).toBe(true);
      }),
    );
  });

  it("proves every leaf's inclusion, and rejects a wrong leaf, index or path", () => {
    fc.assert(
      fc.property(sizes, fc.nat(), fc.nat(), (n, salt, pick) => {
        const leaves = leavesOf(n, salt);
        const tree = new MerkleTree(leaves);
        const i = pick % n;
        const path = tree.inclusionProof(i);
        expect(verifyInclusion(leaves[i] as Buffer, i, n, path, tree.root())).toBe(true);
        expect(verifyInclusion(Buffer.from("forged"), i, n, path, tree.root())).toBe(false);
        if (n > 1)
          expect(verifyInclusion(leaves[i] as Buffer, (i + 1) % n, n, path, tree.root())).toBe(false);
        if (path.length > 0) {
          const bent = path.map((p, k) => (k === 0 ? Buffer.alloc(32, 7) : p));
          expect(verifyInclusion(leaves[i] as Buffer, i, n, bent, tree.root())).toBe(false);
        }
      }),
    );
  });

  it("proves every older tree consistent with a newer one, and rejects a rewritten history", () => {
    fc.assert(
      fc.property(sizes, fc.nat(), fc.nat(), (n, salt, pick) => {
        const leaves = leavesOf(n, salt);
        const tree = new MerkleTree(leaves);
        const m = 1 + (pick % n);
        const oldRoot = new MerkleTree(leaves.slice(0, m)).root();
        const proof = tree.consistencyProof(m);
        expect(verifyConsistency(m, n, proof, oldRoot, tree.root())).toBe(true);
        const rewritten = new MerkleTree([Buffer.from("x"), ...leaves.slice(1, m)]).root();
        expect(verifyConsistency(m, n, proof, rewritten, tree.root())).toBe(false);
      }),
    );
  });
});
