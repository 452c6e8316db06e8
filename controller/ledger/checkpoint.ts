import { createHash, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { z } from "zod";
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

/** The public half of the ledger's signing key as a JWK, as bundles and the JWKS carry it. */
export const Ed25519PublicJwk = z.object({
  kty: z.literal("OKP"),
  crv: z.literal("Ed25519"),
  x: z.base64url(),
});
export type Ed25519PublicJwk = z.infer<typeof Ed25519PublicJwk>;

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

/** RFC 7638 thumbprint of an Ed25519 JWK, used as the key id. */
export function keyIdOf(jwk: Ed25519PublicJwk): string {
  const canonical = canonicalJson({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash("sha256").update(canonical).digest("base64url");
}

export function publicJwkOf(key: KeyObject): Ed25519PublicJwk {
  return Ed25519PublicJwk.parse(createPublicKey(key).export({ format: "jwk" }));
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
