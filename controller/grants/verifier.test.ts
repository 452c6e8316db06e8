import { generateKeyPairSync } from "node:crypto";
import { SignJWT } from "jose";
import { beforeEach, describe, expect, it } from "vitest";
import { type GrantClaims, ISSUER } from "./claims.ts";
import { RevocationList } from "./revocations.ts";
import { signGrant } from "./sign.ts";
import { GrantKeyRing } from "./signing-keys.ts";
import { type GrantErrorCode, GrantRejected, GrantVerifier } from "./verifier.ts";

const now = Date.parse("2026-06-01T12:00:00Z");
const seconds = Math.floor(now / 1000);
const claims = (over: Partial<GrantClaims> = {}): GrantClaims => ({
  iss: ISSUER,
  sub: "agent-1",
  aud: "github",
  tenant: "acme",
  persona: "dev",
  role: "dev",
  scope: [{ tools: ["contents_*"], resources: ["acme-*"] }],
  jti: "g-1",
  iat: seconds,
  exp: seconds + 600,
  depth: 1,
  anc: ["g-root"],
  act: { sub: "agent-root" },
  ...over,
});

async function rejectedWith(verifier: GrantVerifier, token: string): Promise<GrantErrorCode> {
  try {
    await verifier.verify(token);
  } catch (error) {
    expect(error).toBeInstanceOf(GrantRejected);
    return (error as GrantRejected).code;
  }
  throw new Error("expected the grant to be rejected");
}

describe("grant verification", () => {
  let ring: GrantKeyRing;
  let revoked: RevocationList;
  let verifier: GrantVerifier;
  beforeEach(() => {
    ring = GrantKeyRing.inMemory(3600, now);
    revoked = new RevocationList();
    verifier = new GrantVerifier({
      audience: "github",
      jwks: () => ring.jwks(now),
      revocations: revoked,
      now: () => new Date(now),
    });
  });

  it("accepts a good grant and returns its claims", async () => {
    expect(await verifier.verify(await signGrant(claims(), ring))).toEqual(claims());
  });

  it("rejects a forged signature", async () => {
    const token = await signGrant(claims(), ring);
    const [h, p] = token.split(".");
    const forged = await signGrant(claims({ scope: [{ tools: ["*"], resources: ["*"] }] }), ring);
    expect(await rejectedWith(verifier, `${h}.${forged.split(".")[1]}.${token.split(".")[2]}`)).toBe(
      "grant_bad_signature",
    );
    expect(await rejectedWith(verifier, `${h}.${p}.${"A".repeat(86)}`)).toBe("grant_bad_signature");
  });

  it("rejects a token signed by a key the controller never published", async () => {
    const stranger = generateKeyPairSync("ed25519").privateKey;
    const kid = ring.current.kid;
    const token = await new SignJWT({ ...claims() }).setProtectedHeader({ alg: "EdDSA", kid }).sign(stranger);
    expect(await rejectedWith(verifier, token)).toBe("grant_bad_signature");
    const unknown = await new SignJWT({ ...claims() })
      .setProtectedHeader({ alg: "EdDSA", kid: "nope" })
      .sign(stranger);
    expect(await rejectedWith(verifier, unknown)).toBe("grant_unknown_kid");
  });

  it("rejects alg none and every algorithm but EdDSA", async () => {
    const body = Buffer.from(JSON.stringify(claims())).toString("base64url");
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${body}.`;
    expect(await rejectedWith(verifier, none)).toBe("grant_alg_not_allowed");
    const hs = await new SignJWT({ ...claims() })
      .setProtectedHeader({ alg: "HS256", kid: ring.current.kid })
      .sign(new TextEncoder().encode("a shared secret that is long enough"));
    expect(await rejectedWith(verifier, hs)).toBe("grant_alg_not_allowed");
  });

  it("rejects the wrong audience, issuer, expiry and not-before", async () => {
    expect(await rejectedWith(verifier, await signGrant(claims({ aud: "azure-devops" }), ring))).toBe(
      "grant_wrong_audience",
    );
    expect(await rejectedWith(verifier, await signGrant(claims({ iss: "someone-else" }), ring))).toBe(
      "grant_wrong_issuer",
    );
    expect(await rejectedWith(verifier, await signGrant(claims({ exp: seconds - 60 }), ring))).toBe(
      "grant_expired",
    );
    expect(await rejectedWith(verifier, await signGrant(claims({ nbf: seconds + 60 }), ring))).toBe(
      "grant_not_yet_valid",
    );
  });

  it("rejects a revoked grant and a grant whose ancestor was revoked", async () => {
    const token = await signGrant(claims(), ring);
    revoked.add(["g-root"]);
    expect(await rejectedWith(verifier, token)).toBe("grant_ancestor_revoked");
    revoked.add(["g-1"]);
    expect(await rejectedWith(verifier, token)).toBe("grant_revoked");
  });

  it("refuses a grant it verified before, once revoked, killed or expired (nothing cached outlives them)", async () => {
    let clock = now;
    const cached = new GrantVerifier({
      audience: "github",
      jwks: () => ring.jwks(now),
      revocations: revoked,
      now: () => new Date(clock),
    });
    const [a, b, c] = await Promise.all(
      ["g-a", "g-b", "g-c"].map((jti, i) =>
        signGrant(claims({ jti, tenant: ["acme", "globex", "initech"][i] as string }), ring),
      ),
    );
    for (const token of [a, b, c]) await cached.verify(token as string);
    revoked.add(["g-a"]);
    expect(await rejectedWith(cached, a as string)).toBe("grant_revoked");
    revoked.addTenant("globex", seconds);
    expect(await rejectedWith(cached, b as string)).toBe("grant_revoked");
    expect((await cached.verify(c as string)).jti).toBe("g-c");
    clock = now + 601_000 + 5_000;
    expect(await rejectedWith(cached, c as string)).toBe("grant_expired");
  });

  it("rejects every grant a killed tenant was issued up to the kill, and none issued after", async () => {
    const before = await signGrant(claims({ jti: "g-old" }), ring);
    const after = await signGrant(claims({ jti: "g-new", iat: seconds + 10 }), ring);
    revoked.addTenant("acme", seconds);
    expect(await rejectedWith(verifier, before)).toBe("grant_revoked");
    expect((await verifier.verify(after)).jti).toBe("g-new");
    const globex = await signGrant(claims({ jti: "g-globex", tenant: "globex" }), ring);
    expect((await verifier.verify(globex)).jti).toBe("g-globex");
  });

  it("rejects garbage and claims that are not a grant's", async () => {
    expect(await rejectedWith(verifier, "not.a.token")).toBe("grant_malformed");
    expect(await rejectedWith(verifier, await signGrant({ ...claims(), scope: [] }, ring))).toBe(
      "grant_malformed",
    );
  });

  it("keeps verifying grants of a rotated key through the overlap window, then stops", async () => {
    const before = await signGrant(claims(), ring);
    await ring.rotate(now);
    const after = await signGrant(claims({ jti: "g-2" }), ring);
    expect((await verifier.verify(before)).jti).toBe("g-1");
    expect((await verifier.verify(after)).jti).toBe("g-2");
    expect(ring.jwks(now).keys).toHaveLength(2);
    expect(ring.jwks(now + 3601_000).keys.map((k) => k.kid)).toEqual([ring.current.kid]);
    const late = new GrantVerifier({
      audience: "github",
      jwks: () => ring.jwks(now + 3601_000),
      revocations: new RevocationList(),
      now: () => new Date(now),
    });
    expect(await rejectedWith(late, before)).toBe("grant_unknown_kid");
  });

  it("forgets a key the controller stopped publishing, at the next JWKS refresh", async () => {
    let clock = now;
    const before = await signGrant(claims({ exp: seconds + 7200 }), ring);
    const longLived = new GrantVerifier({
      audience: "github",
      jwks: () => ring.jwks(clock),
      revocations: new RevocationList(),
      now: () => new Date(clock),
    });
    expect((await longLived.verify(before)).jti).toBe("g-1");
    await ring.rotate(now);
    clock = now + 3601_000; // the old key's overlap is over, and the cached JWKS is older than 5 minutes
    expect(await rejectedWith(longLived, before)).toBe("grant_unknown_kid");
  });
});
