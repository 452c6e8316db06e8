import * as azdev from "azure-devops-node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAdoSandbox, startAdoSandbox } from "../../test/support/ado-sandbox.ts";
import { type TestApp, testApp } from "../../test/support/app.ts";
import { type Backend, backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { type RunningEntra, startEntra } from "../../test/support/entra.ts";
import { eventually } from "../../test/support/eventually.ts";
import { tenants } from "../db/schema.ts";
import { asPlatform } from "../db/scope.ts";
import type { GrantScope } from "../grants/scope.ts";
import type { AzureDevOpsCredentials } from "./provider-config.ts";
import { Secret } from "./secret.ts";

const ORG = "acme-org";
const USER = "factory-bot@example.com";

interface CredentialBody {
  id: string;
  provider: string;
  token: string;
  expiresAt: string;
  narrowed: boolean;
  detail: { mode: string; scopes?: string[]; authorizationId?: string };
}

/** What the real client library gets with a token: the status of a call, 200 when it answers. */
const status = (call: Promise<unknown>) =>
  call.then(
    () => 200,
    (e: { statusCode?: number }) => e.statusCode ?? 0,
  );
const client = (orgUrl: string, pat: string) =>
  new azdev.WebApi(orgUrl, azdev.getPersonalAccessTokenHandler(pat));

/** A database, the Azure DevOps sandbox, a stand-in Entra and the controller brokering with `mode`. */
function adoBrokerWorld(
  backend: Backend,
  mode: (entra: RunningEntra, orgUrl: string) => AzureDevOpsCredentials,
) {
  const world = {} as {
    database: TestDatabase;
    sandbox: RunningAdoSandbox;
    entra: RunningEntra;
    harness: TestApp;
  };
  beforeAll(async () => {
    world.database = await freshDatabase(backend);
    world.sandbox = await startAdoSandbox({ database: world.database, org: ORG });
    world.entra = await startEntra({ world: world.sandbox.world, org: ORG, user: USER });
    world.harness = await testApp(world.database, {
      providerCredentials: { azureDevOps: mode(world.entra, world.sandbox.orgUrl) },
    });
    await asPlatform(world.database.db, (tx) =>
      tx.insert(tenants).values({ id: "acme", displayName: "Acme" }),
    );
  });
  afterAll(async () => {
    await world.harness.close();
    await world.entra.close();
    await world.sandbox.close();
    await world.database.dispose();
  });
  const issued = async (persona: string, scope?: GrantScope) => {
    const grant = await world.harness.grants.issuer.mint({
      tenant: "acme",
      persona,
      audience: "azure-devops",
      actor: "operator:ada",
      ...(scope ? { scope } : {}),
    });
    const response = await world.harness.app.request("/credentials", {
      method: "POST",
      headers: { authorization: `Bearer ${grant.token}` },
    });
    return { grant, response, body: (await response.json()) as CredentialBody };
  };
  /** The user's PATs as the tokens API lists them (never the tokens). */
  const pats = async (filter = "all") => {
    const bearer = await world.sandbox.world.entraToken(ORG, USER);
    const response = await fetch(`${world.sandbox.orgUrl}/_apis/tokens/pats?displayFilterOption=${filter}`, {
      headers: { authorization: `Bearer ${bearer}` },
    });
    return (
      (await response.json()) as { patTokens: { authorizationId: string; scope: string; validTo: string }[] }
    ).patTokens;
  };
  return { world, issued, pats };
}

describe.each(backends)("the credential broker minting Azure DevOps PATs as a user on %s", (backend) => {
  const { world, issued, pats } = adoBrokerWorld(backend, (entra, orgUrl) => ({
    orgUrl,
    user: {
      tenantId: entra.tenantId,
      clientId: entra.clientId,
      refreshToken: new Secret(entra.refreshToken),
      authorityUrl: entra.authorityUrl,
    },
  }));

  it("mints a PAT scoped to the grant's tools and expiring with it, refused outside its scopes", async () => {
    const { grant, response, body } = await issued("finance", [
      {
        tools: ["projects_get_*", "pipelines_get_pipeline", "pipelines_get_run"],
        resources: ["tenant-acme"],
      },
    ]);
    expect(response.status).toBe(200);
    expect(body).toMatchObject({
      provider: "azure-devops",
      narrowed: true,
      detail: {
        mode: "user PAT",
        scopes: ["vso.build", "vso.project"],
      },
    });
    expect(new Date(body.expiresAt).getTime()).toBe(grant.claims.exp * 1000);
    const [listed] = (await pats()).filter((p) => p.authorizationId === body.detail.authorizationId);
    expect(listed).toMatchObject({ scope: "vso.build vso.project", validTo: body.expiresAt });

    const ado = client(world.sandbox.orgUrl, body.token);
    expect(await status((await ado.getCoreApi()).getProjects())).toBe(200);
    expect(await status((await ado.getCoreApi()).queueCreateProject({ name: "tenant-rogue" }))).toBe(401);
    expect(await status((await ado.getTaskAgentApi()).getAgentPools())).toBe(401);
  });

  it("revokes the PAT at Azure DevOps when the grant dies, after which it is refused", async () => {
    const { grant, body } = await issued("finance", [
      { tools: ["projects_get_*"], resources: ["tenant-acme"] },
    ]);
    const ado = client(world.sandbox.orgUrl, body.token);
    expect(await status((await ado.getCoreApi()).getProjects())).toBe(200);
    await world.harness.grants.revoker.revokeGrant("acme", grant.claims.jti, "operator:ada");
    await eventually(
      async () => (await pats("revoked")).some((p) => p.authorizationId === body.detail.authorizationId),
      "the revocation at Azure DevOps",
    );
    expect(
      await status(
        client(world.sandbox.orgUrl, body.token)
          .getCoreApi()
          .then((c) => c.getProjects()),
      ),
    ).toBe(401);
  });

  it("revokes every PAT it minted for a tenant when the tenant is killed, reusing one Entra token", async () => {
    const minted = await Promise.all(
      ["finance", "founder"].map(async (persona) => (await issued(persona)).body.detail.authorizationId),
    );
    expect((await pats("active")).map((p) => p.authorizationId)).toEqual(expect.arrayContaining(minted));
    await world.harness.grants.revoker.revokeTenant("acme", "operator:ada");
    await eventually(async () => (await pats("active")).length === 0, "every PAT revoked");
    expect(world.entra.issued()).toBe(1);
  });
});

describe.each(backends)("the credential broker's other Azure DevOps modes on %s", (backend) => {
  const { world, issued, pats } = adoBrokerWorld(backend, (entra, orgUrl) => ({
    orgUrl,
    servicePrincipal: {
      tenantId: entra.tenantId,
      clientId: entra.clientId,
      clientSecret: new Secret(entra.clientSecret),
      authorityUrl: entra.authorityUrl,
    },
  }));

  it("hands a service principal's Entra token out as is, marked not narrowed: it may not mint PATs", async () => {
    const { body } = await issued("finance", [{ tools: ["projects_get_*"], resources: ["tenant-acme"] }]);
    expect(body).toMatchObject({ narrowed: false, detail: { mode: "service principal" } });
    const ado = new azdev.WebApi(world.sandbox.orgUrl, azdev.getBearerHandler(body.token));
    expect(await status((await ado.getCoreApi()).getProjects())).toBe(200);
    const refused = await fetch(`${world.sandbox.orgUrl}/_apis/tokens/pats`, {
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ typeKey: "InvalidAccessException" });
    expect(await pats()).toEqual([]);
  });
});
