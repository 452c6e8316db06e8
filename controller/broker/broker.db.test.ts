import { Octokit } from "@octokit/rest";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/support/app.ts";
import { type Backend, backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { eventually } from "../../test/support/eventually.ts";
import { type RunningGitHubSandbox, startGitHubSandbox } from "../../test/support/github-sandbox.ts";
import { providerCredentials, tenants } from "../db/schema.ts";
import { asPlatform, withTenant } from "../db/scope.ts";
import type { GrantScope } from "../grants/scope.ts";

interface CredentialBody {
  id: string;
  provider: string;
  token: string;
  expiresAt: string;
  narrowed: boolean;
  detail: { permissions: Record<string, string>; repositories: string[] | string };
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const repoStatus = (token: string, url: string, repo: string) =>
  new Octokit({ auth: token, baseUrl: url, log: quiet }).rest.repos
    .get({ owner: "acme", repo })
    .then((r) => r.status)
    .catch((e: { status: number }) => e.status);

/** A database, the GitHub sandbox with one App on `acme`, and the controller using it; torn down after. */
function brokerWorld(
  backend: Backend,
  sandboxOptions: Omit<Parameters<typeof startGitHubSandbox>[0], "database">,
) {
  const world = {} as { database: TestDatabase; harness: TestApp; sandbox: RunningGitHubSandbox };
  beforeAll(async () => {
    world.database = await freshDatabase(backend);
    world.sandbox = await startGitHubSandbox({ database: world.database, ...sandboxOptions });
    world.harness = await testApp(world.database, { providerCredentials: world.sandbox.credentials });
    await asPlatform(world.database.db, (tx) =>
      tx.insert(tenants).values({ id: "acme", displayName: "Acme" }),
    );
  });
  afterAll(async () => {
    await world.harness.close();
    await world.sandbox.close();
    await world.database.dispose();
  });
  const credential = (grant: string) =>
    world.harness.app.request("/credentials", {
      method: "POST",
      headers: { authorization: `Bearer ${grant}` },
    });
  const mint = (persona: string, scope?: GrantScope, audience: "github" | "database" = "github") =>
    world.harness.grants.issuer.mint({
      tenant: "acme",
      persona,
      audience,
      actor: "operator:ada",
      ...(scope ? { scope } : {}),
    });
  const issued = async (grant: string) => {
    const response = await credential(grant);
    expect(response.status).toBe(200);
    return (await response.json()) as CredentialBody;
  };
  const rows = () => withTenant(world.database.db, "acme", (tx) => tx.select().from(providerCredentials));
  return { world, credential, mint, issued, rows };
}

describe.each(backends)("the credential broker against the GitHub sandbox on %s", (backend) => {
  const { world, credential, mint, issued, rows } = brokerWorld(backend, {
    org: "acme",
    repositories: ["acme-app", "acme-infra", "acme-site"],
    // Everything the personas' role templates reach, a founder's blueprints included.
    permissions: {
      metadata: "read",
      administration: "write",
      contents: "write",
      workflows: "write",
      issues: "write",
      pull_requests: "write",
      actions: "write",
      actions_variables: "write",
      environments: "write",
      secrets: "write",
      vulnerability_alerts: "write",
      security_events: "write",
      secret_scanning_alerts: "write",
      statuses: "write",
      members: "write",
      organization_administration: "write",
      organization_secrets: "write",
      organization_actions_variables: "write",
    },
  });
  const revokedAtProvider = async (token: string) => (await world.sandbox.isRevoked(token)) === true;

  it("narrows an installation token to the grant's repositories and permissions", async () => {
    const grant = await mint("dev", [{ tools: ["repos_get_*", "contents_*"], resources: ["acme-app"] }]);
    const response = await credential(grant.token);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as CredentialBody;
    expect(body).toMatchObject({ provider: "github", narrowed: true });
    expect(body.detail.repositories).toEqual(["acme-app"]);
    expect(body.detail.permissions).toEqual({ metadata: "read", contents: "write", workflows: "write" });
    expect(new Date(body.expiresAt).getTime()).toBeLessThanOrEqual(grant.claims.exp * 1000);
    // The real Octokit client, with the narrowed token: its repository answers, the neighbour does not exist.
    expect(await repoStatus(body.token, world.sandbox.url, "acme-app")).toBe(200);
    expect(await repoStatus(body.token, world.sandbox.url, "acme-infra")).toBe(404);
  });

  it("resolves name patterns against the installation's repositories", async () => {
    const grant = await mint("dev");
    const body = await issued(grant.token);
    expect(body.detail.repositories).toEqual(["acme-app", "acme-infra", "acme-site"]);
    expect(body.detail.permissions).not.toHaveProperty("administration");
    expect(body.detail.permissions).toMatchObject({
      contents: "write",
      issues: "write",
      pull_requests: "write",
    });
  });

  it("hands out one credential per grant, even to concurrent callers", async () => {
    const grant = await mint("dev", [{ tools: ["repos_get_*"], resources: ["acme-site"] }]);
    const bodies = await Promise.all([1, 2, 3].map(() => issued(grant.token)));
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect(new Set(bodies.map((b) => b.token)).size).toBe(1);
    const again = await issued(grant.token);
    expect(again.id).toBe(bodies[0]?.id);
    expect((await rows()).filter((r) => r.grantJti === grant.claims.jti)).toHaveLength(1);
  });

  it("keeps a keyed fingerprint of each token, never the token, in its rows and the ledger", async () => {
    const grant = await mint("dev", [{ tools: ["contents_get_*"], resources: ["acme-infra"] }]);
    const body = await issued(grant.token);
    const [row] = (await rows()).filter((r) => r.id === body.id);
    expect(row?.fingerprint).toMatch(/^hmac-sha256:[0-9a-f]+:[0-9a-f]{64}$/);
    const entries = await world.harness.ledger.entries({ tenant: "acme" });
    const entry = entries.find((e) => e.resource === `credential:${body.id}`);
    expect(entry).toMatchObject({
      action: "credential.issued",
      actor: `agent:${grant.claims.sub}`,
      payload: { grant: grant.claims.jti, provider: "github", fingerprint: { $hmac: row?.fingerprint } },
    });
    const everything = JSON.stringify({ rows: await rows(), entries });
    expect(everything).not.toContain(body.token);
    expect(everything).not.toContain(body.token.slice(4, 20));
  });

  it("revokes a credential at GitHub when its grant is revoked, and refuses the grant afterwards", async () => {
    const grant = await mint("dev", [{ tools: ["repos_get_*"], resources: ["acme-app"] }]);
    const body = await issued(grant.token);
    await world.harness.grants.revoker.revokeGrant("acme", grant.claims.jti, "operator:ada");
    await eventually(() => revokedAtProvider(body.token), "the revocation at the provider");
    expect(await repoStatus(body.token, world.sandbox.url, "acme-app")).toBe(401);
    await eventually(
      async () => (await rows()).find((r) => r.id === body.id)?.revokedAt != null,
      "the revocation mark",
    );
    const entries = await world.harness.ledger.entries({ tenant: "acme" });
    expect(
      entries.find((e) => e.action === "credential.revoked" && e.resource === `credential:${body.id}`),
    ).toMatchObject({ payload: { grant: grant.claims.jti, reason: "grant revoked" } });
    const refused = await credential(grant.token);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: "grant_revoked" });
  });

  it("revokes a child's credential when an ancestor grant dies, and every credential on a tenant kill", async () => {
    const parent = await mint("founder");
    const child = await world.harness.grants.issuer.exchange({ subjectToken: parent.token, persona: "dev" });
    const [parentCredential, childCredential] = await Promise.all([
      issued(parent.token),
      issued(child.token),
    ]);
    await world.harness.grants.revoker.revokeGrant("acme", parent.claims.jti, "operator:ada");
    await eventually(() => revokedAtProvider(childCredential.token), "the child's revocation");
    const survivor = await issued(
      (await mint("dev", [{ tools: ["repos_get_*"], resources: ["acme-site"] }])).token,
    );
    expect(await revokedAtProvider(survivor.token)).toBe(false);
    await world.harness.grants.revoker.revokeTenant("acme", "operator:ada");
    await eventually(() => revokedAtProvider(survivor.token), "the tenant kill at the provider");
    expect(await revokedAtProvider(parentCredential.token)).toBe(true);
    const live = (await world.sandbox.tokens()).filter((t) => !t.revoked);
    expect(live).toEqual([]);
  });
});

describe.each(backends)("the credential broker's refusals on %s", (backend) => {
  const {
    world,
    credential: post,
    mint,
    rows,
  } = brokerWorld(backend, {
    org: "acme",
    repositories: ["acme-app"],
    permissions: { metadata: "read", contents: "write", workflows: "write" },
  });

  it("refuses a missing or forged grant", async () => {
    const none = await world.harness.app.request("/credentials", { method: "POST" });
    expect(none.status).toBe(401);
    const grant = await mint("dev", [{ tools: ["contents_get_*"], resources: ["acme-app"] }]);
    const [header, payload] = grant.token.split(".");
    const forged = await post(`${header}.${payload}.${"A".repeat(86)}`);
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ code: "grant_bad_signature" });
    expect(await world.sandbox.tokens()).toEqual([]);
  });

  it("answers 503 for a server without provider credentials", async () => {
    const grant = await mint("founder", undefined, "database");
    const response = await post(grant.token);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ detail: expect.stringMatching(/database server/) });
  });

  it("answers 502 naming the operation when GitHub refuses, without leaking anything", async () => {
    // The installation was not granted administration, so a token asking for it is refused (422).
    const grant = await mint("sec", [{ tools: ["protection_*"], resources: ["acme-app"] }]);
    const response = await post(grant.token);
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({
      detail: "create an installation access token",
    });
  });

  it("takes a minted token back at GitHub when it cannot be recorded, and records nothing", async () => {
    await world.database.db.execute(sql`
      create function refuse_credentials() returns trigger language plpgsql as
        $$ begin raise exception 'injected failure'; end $$`);
    await world.database.db.execute(sql`
      create trigger refuse_credentials before insert on provider_credentials
        for each row execute function refuse_credentials()`);
    try {
      const grant = await mint("dev", [{ tools: ["contents_get_*"], resources: ["acme-app"] }]);
      const before = (await world.sandbox.tokens()).length;
      const response = await post(grant.token);
      expect(response.status).toBe(500);
      const minted = (await world.sandbox.tokens()).slice(before);
      expect(minted.length).toBeGreaterThan(0);
      expect(minted.every((t) => t.revoked)).toBe(true);
      const entries = await world.harness.ledger.entries({ tenant: "acme" });
      expect(entries.filter((e) => e.action === "credential.issued")).toEqual([]);
    } finally {
      await world.database.db.execute(sql`drop trigger refuse_credentials on provider_credentials`);
      await world.database.db.execute(sql`drop function refuse_credentials()`);
    }
    // Recording works again: the next request gets a credential.
    const grant = await mint("dev", [{ tools: ["contents_get_*"], resources: ["acme-app"] }]);
    expect((await post(grant.token)).status).toBe(200);
  });

  it("revokes every credential it still holds when it stops", async () => {
    const grant = await mint("dev", [{ tools: ["contents_get_*"], resources: ["acme-app"] }]);
    const body = (await (await post(grant.token)).json()) as CredentialBody;
    expect(await world.sandbox.isRevoked(body.token)).toBe(false);
    await world.harness.broker.close();
    expect(await world.sandbox.isRevoked(body.token)).toBe(true);
    const row = (await rows()).find((r) => r.id === body.id);
    expect(row?.revokedAt).toBeInstanceOf(Date);
  });
});
