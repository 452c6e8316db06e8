import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentClient } from "../../controller/client/agent-client.ts";
import { tenants } from "../../controller/db/schema.ts";
import { asPlatform } from "../../controller/db/scope.ts";
import { ALL_WRITE } from "../../sandbox/github/world.ts";
import { type TestApp, testApp } from "../../test/support/app.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { type RunningGitHubSandbox, startGitHubSandbox } from "../../test/support/github-sandbox.ts";
import { githubServer, githubTools } from "./server.ts";

describe.each(backends)("the GitHub server's connection on %s", (backend) => {
  let database: TestDatabase;
  let sandbox: RunningGitHubSandbox;
  let harness: TestApp;
  let controller: AgentClient;

  beforeAll(async () => {
    database = await freshDatabase(backend);
    sandbox = await startGitHubSandbox({
      database,
      org: "acme",
      repositories: ["acme-api"],
      permissions: ALL_WRITE,
    });
    harness = await testApp(database, { providerCredentials: sandbox.credentials });
    await asPlatform(database.db, (tx) => tx.insert(tenants).values({ id: "acme", displayName: "Acme" }));
    controller = new AgentClient({
      url: "http://controller.test",
      fetch: (request) => harness.app.fetch(request),
    });
  });
  afterAll(async () => {
    await harness.close();
    await sandbox.close();
    await database.dispose();
  });

  const caller = async () => {
    const { token } = await harness.grants.issuer.mint({
      tenant: "acme",
      persona: "founder",
      audience: "github",
      actor: "operator:ada",
    });
    return { token, grant: await controller.introspect(token), controller };
  };

  it("runs tools on the credential the broker narrowed to the grant, one factory per credential", async () => {
    const server = githubServer({ paced: false });
    const founder = await caller();
    const first = await server.connect(founder);
    const second = await server.connect(founder);
    expect(second.factory).toBe(first.factory);
    const list = githubTools.find((t) => t.name === "repos_list_repositories");
    expect(list?.output.parse(await list.run(first, { owner: "acme" }))).toMatchObject({
      items: [{ fullName: "acme/acme-api" }],
    });
    expect((await server.connect(await caller())).factory).not.toBe(first.factory);
  });
});
