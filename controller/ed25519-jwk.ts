import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import { z } from "zod";
import { canonicalJson } from "./ledger/canonical-json.ts";

/** The public half of an Ed25519 signing key (ledger checkpoints, grants) as a JWK. */
export const Ed25519PublicJwk = z.object({
  kty: z.literal("OKP"),
  crv: z.literal("Ed25519"),
  x: z.base64url(),
});
export type Ed25519PublicJwk = z.infer<typeof Ed25519PublicJwk>;

/** RFC 7638 thumbprint of an Ed25519 JWK, used as the key id. */
export function keyIdOf(jwk: Ed25519PublicJwk): string {
  const canonical = canonicalJson({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash("sha256").update(canonical).digest("base64url");
}

export function publicJwkOf(key: KeyObject): Ed25519PublicJwk {
  return Ed25519PublicJwk.parse(createPublicKey(key).export({ format: "jwk" }));
}
