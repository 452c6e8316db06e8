import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../controller/broker/secret.ts";
import { AgentClient } from "../../controller/client/agent-client.ts";
import { tenants } from "../../controller/db/schema.ts";
import { asPlatform } from "../../controller/db/scope.ts";
import { type RunningAdoSandbox, startAdoSandbox } from "../../test/support/ado-sandbox.ts";
import { type TestApp, testApp } from "../../test/support/app.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import type { Caller } from "../shared/tool.ts";
import { azureDevOpsServer } from "./server.ts";

const ORG = "acme-org";

describe.each(backends)("the Azure DevOps server connecting through the controller on %s", (backend) => {
  let database: TestDatabase;
  let sandbox: RunningAdoSandbox;
  let harness: TestApp;
  let controller: AgentClient;
  const caller = async (persona: string): Promise<Caller> => {
    const grant = await harness.grants.issuer.mint({
      tenant: "acme",
      persona,
      audience: "azure-devops",
      actor: "operator:ada",
    });
    return { token: grant.token, grant: await controller.introspect(grant.token), controller };
  };

  beforeAll(async () => {
    database = await freshDatabase(backend);
    sandbox = await startAdoSandbox({ database, org: ORG });
    harness = await testApp(database, {
      providerCredentials: { azureDevOps: { orgUrl: sandbox.orgUrl, pat: new Secret(await sandbox.pat()) } },
    });
    controller = new AgentClient({ url: "http://controller.test", fetch: (r) => harness.app.fetch(r) });
    await asPlatform(database.db, (tx) => tx.insert(tenants).values({ id: "acme", displayName: "Acme" }));
  });
  afterAll(async () => {
    await harness.close();
    await sandbox.close();
    await database.dispose();
  });

  it("runs tools on the credential the broker hands the grant, reusing one factory per credential", async () => {
    const server = azureDevOpsServer();
    const founder = await caller("founder");
    const first = await server.connect(founder);
    const get = server.tools.find((t) => t.name === "projects_get_project");
    expect(await get?.run(first, { project: "tenant-acme" })).toEqual({ project: null });
    const again = await server.connect(founder);
    expect(again.factory).toBe(first.factory);
    // A second grant gets its own credential, so its own factory.
    const other = await server.connect(await caller("dev"));
    expect(other.factory).not.toBe(first.factory);
  });

  it("refuses to connect a revoked grant", async () => {
    const server = azureDevOpsServer();
    const dev = await caller("dev");
    await harness.grants.revoker.revokeGrant("acme", dev.grant.jti, "operator:ada");
    await expect(server.connect(dev)).rejects.toMatchObject({ status: 401 });
  });
});
