import { createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { z } from "zod";
import { type Ed25519PublicJwk, keyIdOf, publicJwkOf } from "../ed25519-jwk.ts";
import { canonicalJson } from "./canonical-json.ts";

/**
 * A signed statement that the first `treeSize` entries have the Merkle root `rootHash` and that entry
 * `treeSize` has the hash `headHash`. The head hash lets a verifier walking the chain check a checkpoint in
 * O(1); the root serves inclusion and consistency proofs.
 */
export const SignedCheckpoint = z.object({
  treeSize: z.number().int().positive(),
  rootHash: z.string().regex(/^[0-9a-f]{64}$/),
  headHash: z.string().regex(/^[0-9a-f]{64}$/),
  signedAt: z.iso.datetime({ precision: 3 }),
  keyId: z.string().min(1),
  signature: z.base64url(),
});
export type SignedCheckpoint = z.infer<typeof SignedCheckpoint>;

const ORIGIN = "startup-factory/ledger";

/** The exact bytes a checkpoint signature covers. */
function statement(c: Omit<SignedCheckpoint, "signature" | "keyId">): Buffer {
  const body = {
    origin: ORIGIN,
    treeSize: c.treeSize,
    rootHash: c.rootHash,
    headHash: c.headHash,
    signedAt: c.signedAt,
  };
  return Buffer.from(canonicalJson(body));
}

export function signCheckpoint(
  privateKey: KeyObject,
  tree: { treeSize: number; rootHash: string; headHash: string },
  signedAt: Date,
): SignedCheckpoint {
  const unsigned = { ...tree, signedAt: signedAt.toISOString() };
  const signature = sign(null, statement(unsigned), privateKey).toString("base64url");
  return { ...unsigned, keyId: keyIdOf(publicJwkOf(privateKey)), signature };
}

/** True when the checkpoint was signed by `publicKey` and names it by the right key id. */
export function verifyCheckpointSignature(
  checkpoint: SignedCheckpoint,
  publicKey: Ed25519PublicJwk,
): boolean {
  if (checkpoint.keyId !== keyIdOf(publicKey)) return false;
  const key = createPublicKey({ key: publicKey, format: "jwk" });
  return verify(null, statement(checkpoint), key, Buffer.from(checkpoint.signature, "base64url"));
}
