import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { testLedger } from "../../test/support/ledger.ts";
import { agents, tenants } from "../db/schema.ts";
import { asPlatform, withTenant } from "../db/scope.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { ServerName } from "../policy/model.ts";
import { loadPolicies } from "../policy/policies.ts";
import { GrantDenied } from "./grant-checks.ts";
import { GrantIssuer } from "./issue.ts";
import { lineage } from "./lineage.ts";
import { RevocationList } from "./revocations.ts";
import { GrantRevoker } from "./revoke.ts";
import { GrantKeyRing } from "./signing-keys.ts";
import { type GrantRejected, GrantVerifier } from "./verifier.ts";

describe.each(backends)("grants on %s", (backend) => {
  let database: TestDatabase;
  let ledger: Ledger;
  let issuer: GrantIssuer;
  let revoker: GrantRevoker;
  let revocations: RevocationList;
  const ring = GrantKeyRing.inMemory(3600);
  const verifierFor = (audience: ServerName, list: RevocationList = revocations) =>
    new GrantVerifier({ audience, jwks: () => ring.jwks(), revocations: list });
  const codeOf = async (token: string, audience: ServerName = "github") => {
    try {
      await verifierFor(audience).verify(token);
      return "accepted";
    } catch (error) {
      return (error as GrantRejected).code;
    }
  };
  const deniedWith = async (work: Promise<unknown>) => {
    try {
      await work;
    } catch (error) {
      expect(error).toBeInstanceOf(GrantDenied);
      return (error as GrantDenied).reasons.join("; ");
    }
    throw new Error("expected the grant to be denied");
  };
  const founder = (tenant = "acme") =>
    issuer.mint({ tenant, persona: "founder", audience: "github", actor: "operator:ada" });

  beforeAll(async () => {
    database = await freshDatabase(backend);
    ledger = testLedger(database);
    revocations = new RevocationList();
    const policies = await loadPolicies(join(import.meta.dirname, "../../policies"));
    issuer = new GrantIssuer({ db: database.db, ledger, policies, ring, verifierFor: (a) => verifierFor(a) });
    revoker = new GrantRevoker({ db: database.db, ledger, revocations });
    await asPlatform(database.db, (tx) =>
      tx.insert(tenants).values([
        { id: "acme", displayName: "Acme" },
        { id: "globex", displayName: "Globex" },
        { id: "initech", displayName: "Initech" },
      ]),
    );
  });
  afterAll(() => database.dispose());

  it("mints a root grant from the role template, registers the agent and records it in the ledger", async () => {
    const { token, claims, agentId } = await founder();
    expect(claims).toMatchObject({
      sub: agentId,
      aud: "github",
      tenant: "acme",
      persona: "founder",
      role: "founder",
      depth: 0,
      anc: [],
    });
    expect(claims.scope[0]?.resources).toEqual(["acme-*", "acme"]);
    expect(claims.exp - claims.iat).toBe(60 * 60);
    expect(await verifierFor("github").verify(token)).toEqual(claims);
    expect(await codeOf(token, "azure-devops")).toBe("grant_wrong_audience");
    const [agent] = await withTenant(database.db, "acme", (tx) =>
      tx.select().from(agents).where(eq(agents.id, agentId)),
    );
    expect(agent).toMatchObject({ persona: "founder", parentId: null, depth: 0 });
    const [entry] = (await ledger.entries({ limit: 100 })).filter((e) => e.action === "grant.minted");
    expect(entry).toMatchObject({ tenant: "acme", actor: "operator:ada", resource: `agent:${agentId}` });
    expect(entry?.payload).toMatchObject({ jti: claims.jti, aud: "github", role: "founder" });
    expect(JSON.stringify(await ledger.entries({ limit: 100 }))).not.toContain(token.split(".")[2]);
  });

  it("denies more than the role template allows, with the reason, in the ledger too", async () => {
    const over = issuer.mint({
      tenant: "acme",
      persona: "dev",
      audience: "github",
      actor: "operator:ada",
      scope: [{ tools: ["contents_*", "protection_set_branch_protection"], resources: ["acme-api"] }],
    });
    expect(await deniedWith(over)).toBe(
      "role template github/dev does not allow protection_set_branch_protection on acme-api",
    );
    expect(
      await deniedWith(
        issuer.mint({
          tenant: "acme",
          persona: "dev",
          role: "org_admin",
          audience: "github",
          actor: "operator:ada",
        }),
      ),
    ).toMatch(/persona dev may only hold its own role template, not org_admin/);
    expect(
      await deniedWith(
        issuer.mint({
          tenant: "acme",
          persona: "dev",
          audience: "github",
          actor: "operator:ada",
          ttlMinutes: 90,
        }),
      ),
    ).toBe("a grant may live at most 30 minutes, not 90");
    const otherTenant = issuer.mint({
      tenant: "acme",
      persona: "dev",
      audience: "github",
      actor: "operator:ada",
      scope: [{ tools: ["contents_*"], resources: ["globex-api"] }],
    });
    expect(await deniedWith(otherTenant)).toMatch(/does not allow contents_\* on globex-api/);
    const denials = (await ledger.entries({ limit: 100 })).filter((e) => e.action === "grant.denied");
    expect(denials.map((d) => d.payload.reasons)).toHaveLength(4);
  });

  it("exchanges a parent's grant for a child's within both the parent and the child's template", async () => {
    // A founder holding less than its template: the child gets only what both allow.
    const parent = await issuer.mint({
      tenant: "acme",
      persona: "founder",
      audience: "github",
      actor: "operator:ada",
      scope: [{ tools: ["repos_get_*", "repos_list_*", "issues_*"], resources: ["acme-*"] }],
    });
    const child = await issuer.exchange({ subjectToken: parent.token, persona: "dev" });
    expect(child.claims).toMatchObject({
      tenant: "acme",
      persona: "dev",
      aud: "github",
      depth: 1,
      anc: [parent.claims.jti],
      act: { sub: parent.agentId },
    });
    expect(child.claims.exp).toBeLessThanOrEqual(parent.claims.exp);
    expect(child.claims.scope.flatMap((e) => e.tools)).toContain("repos_get_*");
    expect(child.claims.scope.flatMap((e) => e.tools)).not.toContain("contents_*"); // this founder never had it
    // A pattern both sides hold literally is listed once.
    const pairs = child.claims.scope.flatMap((e) =>
      e.tools.flatMap((t) => e.resources.map((r) => `${t} ${r}`)),
    );
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(pairs).toContain("repos_get_* acme-*");
    expect(await codeOf(child.token)).toBe("accepted");
    const wider = issuer.exchange({
      subjectToken: parent.token,
      persona: "dev",
      scope: [{ tools: ["contents_commit_files"], resources: ["acme-api"] }],
    });
    expect(await deniedWith(wider)).toMatch(
      /the parent grant .* does not allow contents_commit_files on acme-api/,
    );
    const [row] = await withTenant(database.db, "acme", (tx) =>
      tx.select().from(agents).where(eq(agents.id, child.agentId)),
    );
    expect(row).toMatchObject({ parentId: parent.agentId, createdByGrant: parent.claims.jti, depth: 1 });
  });

  it("enforces who may spawn and the fan-out limit", async () => {
    const parent = await founder();
    const dev = await issuer.exchange({ subjectToken: parent.token, persona: "dev" });
    expect(await deniedWith(issuer.exchange({ subjectToken: dev.token, persona: "ops" }))).toMatch(
      /no policy lets role dev/,
    );
    for (let i = 1; i < 5; i++) await issuer.exchange({ subjectToken: parent.token, persona: "sec" });
    expect(await deniedWith(issuer.exchange({ subjectToken: parent.token, persona: "sec" }))).toBe(
      "an agent may have at most 5 children",
    );
  });

  it("revokes a grant and, through the ancestor chain, everything exchanged from it", async () => {
    const parent = await founder();
    const child = await issuer.exchange({ subjectToken: parent.token, persona: "dev" });
    expect(await revoker.revokeGrant("acme", parent.claims.jti, "operator:ada")).toEqual([parent.claims.jti]);
    expect(await codeOf(parent.token)).toBe("grant_revoked");
    expect(await codeOf(child.token)).toBe("grant_ancestor_revoked");
    await expect(issuer.exchange({ subjectToken: parent.token, persona: "dev" })).rejects.toMatchObject({
      code: "grant_revoked",
    });
  });

  it("counts live agents against the tenant's quota", async () => {
    const parent = await founder();
    // acme now has more live agents than its quota of 12 allows to grow.
    expect(await deniedWith(issuer.exchange({ subjectToken: parent.token, persona: "ops" }))).toBe(
      "tenant quota: at most 12 agents",
    );
  });

  it("renews a root agent for the operator who started it, and for no one else", async () => {
    const first = await founder("globex");
    const renew = (over: Partial<Parameters<GrantIssuer["mint"]>[0]> = {}) =>
      issuer.mint({
        tenant: "globex",
        persona: "founder",
        audience: "ai",
        actor: "operator:ada",
        agentId: first.agentId,
        ...over,
      });
    const renewed = await renew();
    expect(renewed.agentId).toBe(first.agentId);
    expect(renewed.claims).toMatchObject({ sub: first.agentId, aud: "ai", depth: 0, anc: [] });
    expect(renewed.claims.jti).not.toBe(first.claims.jti);
    expect(await verifierFor("ai").verify(renewed.token)).toEqual(renewed.claims);
    const entries = (await ledger.entries({ limit: 500 })).filter(
      (e) => e.resource === `agent:${first.agentId}`,
    );
    expect(entries.map((e) => e.action)).toEqual(["grant.minted", "grant.renewed"]);
    const rows = await withTenant(database.db, "globex", (tx) =>
      tx.select().from(agents).where(eq(agents.id, first.agentId)),
    );
    expect(rows).toHaveLength(1); // the same agent, not another

    expect(await deniedWith(renew({ actor: "operator:eve" }))).toBe(
      `agent ${first.agentId} was started by operator:ada; only they may renew it`,
    );
    expect(await deniedWith(renew({ persona: "ops" }))).toBe(
      `agent ${first.agentId} is a founder, not a ops`,
    );
    expect(await deniedWith(renew({ tenant: "initech" }))).toBe(
      `there is no agent ${first.agentId} in tenant initech`,
    );
    const child = await issuer.exchange({ subjectToken: first.token, persona: "dev" });
    expect(await deniedWith(renew({ persona: "dev", agentId: child.agentId }))).toBe(
      `agent ${child.agentId} was spawned by ${first.agentId}; only root agents are renewed`,
    );
    // Its parent resumes the child (the same agent, a fresh grant), and no one else can.
    const again = await issuer.exchange({
      subjectToken: first.token,
      persona: "dev",
      agentId: child.agentId,
    });
    expect(again.agentId).toBe(child.agentId);
    expect(again.claims).toMatchObject({ depth: 1, anc: [first.claims.jti], act: { sub: first.agentId } });
    const other = await founder("globex");
    expect(
      await deniedWith(
        issuer.exchange({ subjectToken: other.token, persona: "dev", agentId: child.agentId }),
      ),
    ).toBe(`agent ${child.agentId} is not a child of ${other.agentId}`);
    expect(
      await deniedWith(
        issuer.exchange({ subjectToken: first.token, persona: "ops", agentId: child.agentId }),
      ),
    ).toBe(`agent ${child.agentId} is a dev, not a ops`);
    await revoker.revokeAgent("globex", first.agentId, "operator:ada");
    expect(await codeOf(renewed.token, "ai")).toBe("grant_revoked");
    expect(await deniedWith(renew())).toBe(`agent ${first.agentId} was revoked`);
  });

  it("revokes an agent's whole subtree", async () => {
    const parent = await founder("initech");
    const child = await issuer.exchange({ subjectToken: parent.token, persona: "ops" });
    const grandchildless = await issuer.exchange({ subjectToken: parent.token, persona: "dev" });
    const revoked = await revoker.revokeAgent("initech", parent.agentId, "operator:ada");
    expect(revoked.sort()).toEqual([parent.claims.jti, child.claims.jti, grandchildless.claims.jti].sort());
    expect(await codeOf(child.token)).toBe("grant_revoked");
    const tree = await lineage(database.db, "initech", parent.agentId);
    expect(tree).toMatchObject({
      id: parent.agentId,
      persona: "founder",
      depth: 0,
      revokedAt: expect.any(String),
    });
    expect(tree?.grants.map((g) => g.jti)).toEqual([parent.claims.jti]);
    expect(tree?.children.map((c) => [c.persona, c.grants[0]?.jti, c.grants[0]?.revokedAt !== null])).toEqual(
      [
        ["ops", child.claims.jti, true],
        ["dev", grandchildless.claims.jti, true],
      ],
    );
    expect(await lineage(database.db, "acme", parent.agentId)).toBeUndefined(); // another tenant sees nothing
    const rows = await withTenant(database.db, "initech", (tx) =>
      tx.select().from(agents).where(eq(agents.parentId, parent.agentId)),
    );
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.revokedAt !== null)).toBe(true);
  });

  it("kills a tenant: every grant refused, here and in a process that reloads the list", async () => {
    const acme = await founder();
    const globex = await founder("globex");
    await revoker.revokeTenant("acme", "operator:ada");
    expect(await codeOf(acme.token)).toBe("grant_revoked");
    expect(await codeOf(globex.token)).toBe("accepted");
    const elsewhere = new RevocationList();
    await elsewhere.reload(database.db);
    const reloaded = new GrantVerifier({
      audience: "github",
      jwks: () => ring.jwks(),
      revocations: elsewhere,
    });
    await expect(reloaded.verify(acme.token)).rejects.toMatchObject({ code: "grant_revoked" });
    expect((await reloaded.verify(globex.token)).tenant).toBe("globex");
    const [tenant] = await asPlatform(database.db, (tx) =>
      tx.select().from(tenants).where(eq(tenants.id, "acme")),
    );
    expect(tenant?.status).toBe("suspended");
    expect(await deniedWith(founder())).toBe("tenant acme is suspended");
    expect(await deniedWith(founder("nosuch"))).toBe("there is no tenant nosuch");
    const marked = await withTenant(database.db, "acme", (tx) => tx.select().from(agents));
    expect(marked.every((a) => a.revokedAt !== null)).toBe(true);
    expect(await ledger.verify()).toMatchObject({ ok: true });
  });
});
