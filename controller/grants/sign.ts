import { SignJWT } from "jose";
import type { GrantClaims } from "./claims.ts";
import type { GrantKeyRing } from "./signing-keys.ts";

/** Signs grant claims with the ring's current key: compact JWS, EdDSA, `typ: JWT`, `kid` in the header. */
export function signGrant(claims: GrantClaims, ring: GrantKeyRing): Promise<string> {
  const { kid, privateKey } = ring.current;
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: "EdDSA", typ: "JWT", kid }).sign(privateKey);
}
