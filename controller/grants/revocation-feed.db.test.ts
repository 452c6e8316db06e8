import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { eventually } from "../../test/support/eventually.ts";
import { testLedger } from "../../test/support/ledger.ts";
import { type Database, openDatabase } from "../db/database.ts";
import { tenants } from "../db/schema.ts";
import { asPlatform } from "../db/scope.ts";
import { loadPolicies } from "../policy/policies.ts";
import { GrantIssuer } from "./issue.ts";
import { followRevocations, type RevocationFeed } from "./revocation-feed.ts";
import { RevocationList } from "./revocations.ts";
import { GrantRevoker } from "./revoke.ts";
import { GrantKeyRing } from "./signing-keys.ts";
import { GrantVerifier } from "./verifier.ts";

describe.each(backends)("revocations reaching other verifiers on %s", (backend) => {
  let database: TestDatabase;
  let other: Database;
  let feed: RevocationFeed;
  const elsewhere = new RevocationList();
  let issuer: GrantIssuer;
  let revoker: GrantRevoker;

  beforeAll(async () => {
    database = await freshDatabase(backend);
    // A second connection (pool) stands in for another process; PGlite is one process, so it shares the client.
    other =
      backend === "postgres"
        ? await openDatabase({ kind: "postgres", url: database.url as string })
        : database;
    const ring = GrantKeyRing.inMemory(3600);
    const local = new RevocationList();
    const ledger = testLedger(database);
    const policies = await loadPolicies(join(import.meta.dirname, "../../policies"));
    const verifierFor = () =>
      new GrantVerifier({ audience: "github", jwks: () => ring.jwks(), revocations: local });
    issuer = new GrantIssuer({ db: database.db, ledger, policies, ring, verifierFor });
    revoker = new GrantRevoker({ db: database.db, ledger, revocations: local });
    await asPlatform(database.db, (tx) => tx.insert(tenants).values({ id: "acme", displayName: "Acme" }));
    feed = await followRevocations(other, elsewhere, { reconcileSeconds: 3600 });
  });
  afterAll(async () => {
    await feed.stop();
    if (other !== database) await other.close();
    await database.dispose();
  });

  it("delivers a tenant kill to a follower through LISTEN/NOTIFY", async () => {
    const grants: Awaited<ReturnType<GrantIssuer["mint"]>>[] = [];
    for (let i = 0; i < 3; i++)
      grants.push(
        await issuer.mint({ tenant: "acme", persona: "founder", audience: "github", actor: "operator:ada" }),
      );
    expect(grants.some((g) => elsewhere.isRevoked(g.claims.jti))).toBe(false);
    const child = await issuer.exchange({ subjectToken: grants[0]?.token as string, persona: "dev" });
    await revoker.revokeGrant("acme", child.claims.jti, "operator:ada");
    await eventually(() => elsewhere.isRevoked(child.claims.jti));
    await revoker.revokeTenant("acme", "operator:ada");
    await eventually(() => elsewhere.tenantRevokedAt("acme") !== undefined);
    expect(elsewhere.tenantRevokedAt("acme")).toBeGreaterThanOrEqual(
      Math.max(...grants.map((g) => g.claims.iat)),
    );
  });

  it("catches up from the tables when a follower starts late", async () => {
    const late = new RevocationList();
    await late.reload(other.db);
    expect(late.size).toBe(1);
    expect(late.tenantRevokedAt("acme")).toBe(elsewhere.tenantRevokedAt("acme"));
    expect(late.tenantRevokedAt("globex")).toBeUndefined();
  });
});
