import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { mountMcpServers } from "../../cli/mcp-mount.ts";
import { Secret } from "../../controller/broker/secret.ts";
import { AgentClient } from "../../controller/client/agent-client.ts";
import type { ServerName } from "../../controller/client/servers.ts";
import { tenants } from "../../controller/db/schema.ts";
import { asPlatform } from "../../controller/db/scope.ts";
import type { GrantScope } from "../../controller/grants/scope.ts";
import { IN_PROCESS } from "../../controller/http/in-process.ts";
import { mcpServers } from "../../mcp-servers/catalog.ts";
import { authenticate } from "../../mcp-servers/shared/caller.ts";
import { selectTools, type ToolSelection } from "../../mcp-servers/shared/selection.ts";
import { mcpServerFor } from "../../mcp-servers/shared/server.ts";
import { ALL_WRITE } from "../../sandbox/github/world.ts";
import { type RunningAdoSandbox, startAdoSandbox } from "./ado-sandbox.ts";
import { type TestApp, type TestAppOptions, testApp } from "./app.ts";
import type { TestDatabase } from "./backends.ts";
import { type RunningGitHubSandbox, startGitHubSandbox } from "./github-sandbox.ts";

export interface McpWorld {
  harness: TestApp;
  github: RunningGitHubSandbox;
  ado: RunningAdoSandbox;
  /** The controller as servers reach it in process. */
  controller: AgentClient;
  /** The controller and the MCP servers served on a loopback port. */
  url: string;
  mint(
    persona: string,
    audience: ServerName,
    options?: { tenant?: string; scope?: GrantScope; actor?: string; agentId?: string },
  ): Promise<{ token: string; agentId: string; jti: string }>;
  /** A real MCP client connected in memory to `server` for `token`'s holder. */
  inMemory(
    server: ServerName,
    token: string,
    options?: { selection?: ToolSelection; capabilities?: ClientCapabilities },
  ): Promise<Client>;
  /** A real MCP client over Streamable HTTP at /mcp/<server>. */
  overHttp(server: ServerName, token: string): Promise<Client>;
  close(): Promise<void>;
}

/**
 * The controller with the GitHub and Azure DevOps sandboxes as its providers, tenants `acme` and `globex`,
 * and the four MCP servers mounted at /mcp/<server> and served on loopback.
 */
export async function mcpWorld(database: TestDatabase, options: TestAppOptions = {}): Promise<McpWorld> {
  const github = await startGitHubSandbox({
    database,
    org: "acme",
    repositories: [],
    // Whatever the personas' role templates reach, as the embedded sandbox's installation has.
    permissions: ALL_WRITE,
  });
  const ado = await startAdoSandbox({ database, org: "fabrikam" });
  const adoPat = await ado.pat();
  const harness = await testApp(database, {
    ...options,
    providerCredentials: {
      ...github.credentials,
      azureDevOps: { orgUrl: ado.orgUrl, pat: new Secret(adoPat) },
      ...options.providerCredentials,
    },
  });
  await asPlatform(database.db, (tx) =>
    tx.insert(tenants).values([
      { id: "acme", displayName: "Acme" },
      { id: "globex", displayName: "Globex" },
    ]),
  );
  const routes = mountMcpServers(harness.app, { githubPaced: false });
  const server = serve({ fetch: harness.app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const controller = new AgentClient({
    url: "http://controller.internal",
    fetch: (r) => harness.app.fetch(r, IN_PROCESS),
  });
  const definitions = mcpServers({ githubPaced: false });
  const clients: Client[] = [];

  return {
    harness,
    github,
    ado,
    controller,
    url,
    async mint(persona, audience, o = {}) {
      const issued = await harness.grants.issuer.mint({
        tenant: o.tenant ?? "acme",
        persona,
        audience,
        actor: o.actor ?? "alice",
        ...(o.scope ? { scope: o.scope } : {}),
        ...(o.agentId ? { agentId: o.agentId } : {}),
      });
      return { token: issued.token, agentId: issued.agentId, jti: issued.claims.jti };
    },
    async inMemory(name, token, o = {}) {
      const definition = definitions[name];
      const caller = await authenticate(controller, token, name);
      const mcp = mcpServerFor(definition, selectTools(definition, o.selection), () => caller);
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await mcp.connect(serverSide);
      const client = new Client({ name: "test", version: "1.0.0" }, { capabilities: o.capabilities ?? {} });
      await client.connect(clientSide);
      clients.push(client);
      return client;
    },
    async overHttp(name, token) {
      const client = new Client({ name: "test", version: "1.0.0" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${url}/mcp/${name}`), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      await routes.close();
      await Promise.all(Object.values(definitions).map((d) => d.close?.()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await harness.close();
      await ado.close();
      await github.close();
    },
  };
}
