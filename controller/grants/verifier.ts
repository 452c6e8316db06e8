import { decodeProtectedHeader, errors, importJWK, type JWK, jwtVerify } from "jose";
import type { ServerName } from "../policy/model.ts";
import { GrantClaims, ISSUER } from "./claims.ts";

type VerifyKey = Awaited<ReturnType<typeof importJWK>>;

const JWKS_MAX_AGE_MS = 5 * 60_000;
/** Grants whose signature and claims already verified, by token; an agent presents one grant many times. */
const MAX_VERIFIED = 10_000;

/** Why a grant was refused; each reason has its own stable code. */
export type GrantErrorCode =
  | "grant_malformed"
  | "grant_alg_not_allowed"
  | "grant_unknown_kid"
  | "grant_bad_signature"
  | "grant_wrong_issuer"
  | "grant_wrong_audience"
  | "grant_expired"
  | "grant_not_yet_valid"
  | "grant_revoked"
  | "grant_ancestor_revoked";

export class GrantRejected extends Error {
  override name = "GrantRejected";
  constructor(
    readonly code: GrantErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Answers from the revocation list this process keeps current (in memory, fed by the controller). */
export interface RevocationCheck {
  isRevoked(jti: string): boolean;
  /** When the tenant was killed (epoch seconds), if it was: its grants issued until then are dead. */
  tenantRevokedAt(tenant: string): number | undefined;
}

export interface VerifierOptions {
  /** The MCP server this verifier guards: grants for any other audience are refused. */
  audience: ServerName;
  /** The controller's JWKS, fetched again when a token names a key id not seen yet. */
  jwks: () => Promise<{ keys: JWK[] }> | { keys: JWK[] };
  revocations: RevocationCheck;
  clockToleranceSeconds?: number;
  now?: () => Date;
}

/** Why a grant whose signature verified is nevertheless dead: it, its tenant, or an ancestor was revoked. */
export function revocationOf(claims: GrantClaims, revocations: RevocationCheck): GrantRejected | undefined {
  if (revocations.isRevoked(claims.jti))
    return new GrantRejected("grant_revoked", `grant ${claims.jti} was revoked`);
  const killedAt = revocations.tenantRevokedAt(claims.tenant);
  if (killedAt !== undefined && claims.iat <= killedAt)
    return new GrantRejected("grant_revoked", `every grant of tenant ${claims.tenant} was revoked`);
  const ancestor = claims.anc.find((jti) => revocations.isRevoked(jti));
  if (ancestor)
    return new GrantRejected(
      "grant_ancestor_revoked",
      `grant ${claims.jti} descends from revoked grant ${ancestor}`,
    );
  return undefined;
}

/**
 * Verifies grants for one MCP server: EdDSA only, a known key id, the right issuer and audience, inside its
 * validity window, and neither it nor any ancestor revoked.
 */
export class GrantVerifier {
  readonly #options: VerifierOptions;
  #keys = new Map<string, Promise<VerifyKey>>();
  #fetchedAt = 0;
  #verified = new Map<string, GrantClaims>();

  constructor(options: VerifierOptions) {
    this.#options = options;
  }

  async verify(token: string): Promise<GrantClaims> {
    const claims = this.#cached(token) ?? (await this.#verifySignedClaims(token));
    this.#checkRevocations(claims);
    return claims;
  }

  /**
   * A token verified before, while its key set is fresh and it is still inside its lifetime: the signature and
   * claims cannot have changed. Revocation is checked on every call regardless.
   */
  #cached(token: string): GrantClaims | undefined {
    const claims = this.#verified.get(token);
    if (!claims) return undefined;
    const now = (this.#options.now?.() ?? new Date()).getTime();
    if (now - this.#fetchedAt > JWKS_MAX_AGE_MS || now / 1000 >= claims.exp) {
      this.#verified.delete(token);
      return undefined;
    }
    return claims;
  }

  async #verifySignedClaims(token: string): Promise<GrantClaims> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new GrantRejected("grant_malformed", "the grant is not a JWS compact token");
    }
    if (header.alg !== "EdDSA")
      throw new GrantRejected(
        "grant_alg_not_allowed",
        `grants are signed with EdDSA, not ${String(header.alg)}`,
      );
    if (!header.kid) throw new GrantRejected("grant_unknown_kid", "the grant names no key id");
    const key = await this.#key(header.kid);

    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ["EdDSA"],
        issuer: ISSUER,
        audience: this.#options.audience,
        clockTolerance: this.#options.clockToleranceSeconds ?? 5,
        ...(this.#options.now ? { currentDate: this.#options.now() } : {}),
      }));
    } catch (error) {
      throw rejection(error, this.#options.audience);
    }
    const claims = GrantClaims.safeParse(payload);
    if (!claims.success)
      throw new GrantRejected(
        "grant_malformed",
        `the grant's claims are invalid: ${claims.error.issues[0]?.message}`,
      );
    if (this.#verified.size >= MAX_VERIFIED) this.#verified.clear();
    this.#verified.set(token, claims.data);
    return claims.data;
  }

  #checkRevocations(claims: GrantClaims): void {
    const rejection = revocationOf(claims, this.#options.revocations);
    if (rejection) throw rejection;
  }

  /**
   * The key for `kid`. The JWKS is fetched again for a key id not seen yet (a rotation), and at least every
   * `JWKS_MAX_AGE_MS`, so a key the controller stopped publishing stops verifying here too.
   */
  async #key(kid: string): Promise<VerifyKey> {
    const now = (this.#options.now?.() ?? new Date()).getTime();
    if (now - this.#fetchedAt > JWKS_MAX_AGE_MS) this.#keys.clear();
    let key = this.#keys.get(kid);
    if (!key) {
      const { keys } = await this.#options.jwks();
      this.#fetchedAt = now;
      this.#verified.clear(); // a key may have been unpublished: everything is verified afresh
      this.#keys = new Map(keys.filter((k) => k.kid).map((k) => [k.kid as string, importJWK(k, "EdDSA")]));
      key = this.#keys.get(kid);
      if (!key) throw new GrantRejected("grant_unknown_kid", `no published key has id ${kid}`);
    }
    return key;
  }
}

function rejection(error: unknown, audience: string): GrantRejected {
  if (error instanceof errors.JWTExpired) return new GrantRejected("grant_expired", "the grant has expired");
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new GrantRejected("grant_bad_signature", "the grant's signature does not verify");
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "aud")
      return new GrantRejected("grant_wrong_audience", `the grant is not for ${audience}`);
    if (error.claim === "nbf" || error.claim === "iat")
      return new GrantRejected("grant_not_yet_valid", "the grant is not valid yet");
    if (error.claim === "iss")
      return new GrantRejected("grant_wrong_issuer", "the grant was not issued by this controller");
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return new GrantRejected("grant_alg_not_allowed", "grants are signed with EdDSA");
  return new GrantRejected("grant_malformed", "the grant could not be read");
}
