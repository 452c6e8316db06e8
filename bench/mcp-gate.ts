import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { mountMcpServers } from "../cli/mcp-mount.ts";
import { AgentClient } from "../controller/client/agent-client.ts";
import type { Database } from "../controller/db/database.ts";
import { createApp } from "../controller/http/app.ts";
import { IN_PROCESS } from "../controller/http/in-process.ts";
import type { LedgerKeys } from "../controller/ledger/keys.ts";
import { mcpServers } from "../mcp-servers/catalog.ts";
import { GitHubFactory } from "../mcp-servers/github/factory.ts";
import { authenticate } from "../mcp-servers/shared/caller.ts";
import { selectTools } from "../mcp-servers/shared/selection.ts";
import { mcpServerFor } from "../mcp-servers/shared/server.ts";
import { ALL_WRITE } from "../sandbox/github/world.ts";
import { startGitHubSandbox } from "../test/support/github-sandbox.ts";
import { benchServices } from "./services.ts";
import { fmt, percentile } from "./stats.ts";

export interface McpFigure {
  backend: string;
  call: string;
  path: string;
  p50: number;
  p99: number;
  /** p50 against the same call made directly on the factory. */
  ratio: number;
  perSecond: number;
}

type Call = (i: number) => Promise<unknown>;

async function latency(n: number, call: Call) {
  const ms: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call(i);
    ms.push(performance.now() - t);
  }
  const seconds = (performance.now() - start) / 1000;
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), perSecond: n / seconds };
}

/** `clients` callers at once, each making `each` calls in turn: calls per second overall. */
async function throughput(calls: Call[], each: number) {
  const start = performance.now();
  await Promise.all(
    calls.map(async (call) => {
      for (let i = 0; i < each; i++) await call(i);
    }),
  );
  return (calls.length * each) / ((performance.now() - start) / 1000);
}

const check = (result: Record<string, unknown>) => {
  if (result.isError) throw new Error(`bench call failed: ${JSON.stringify(result.content)}`);
  return result;
};

/**
 * Tool-call latency through the gate (grant verified, decided, a write's intent and outcome in the ledger,
 * the credential brokered) against the same factory call made directly with an already brokered token:
 * a read and a write, in process (InMemory transport) and over Streamable HTTP, then `clients` HTTP
 * clients at once.
 */
export async function benchMcpGate(
  database: Database,
  backend: string,
  keys: LedgerKeys,
  sizes: { reads: number; writes: number; clients: number; each: number },
): Promise<McpFigure[]> {
  const org = `o${Date.now().toString(36)}`;
  const github = await startGitHubSandbox({
    database,
    org,
    repositories: [],
    permissions: ALL_WRITE,
  });
  const { services, tenant, dispose } = await benchServices(database, keys, github.credentials);
  const app = createApp(services, { rateLimitPerMinute: 10_000_000 });
  const routes = mountMcpServers(app, { githubPaced: false });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: Client[] = [];
  try {
    const mint = () =>
      services.grants.issuer.mint({ tenant, persona: "founder", audience: "github", actor: "bench" });
    const grant = await mint();
    const repo = `${tenant}-api`;
    const credential = await services.broker.credentialFor(grant.claims);
    const factory = new GitHubFactory({
      baseUrl: credential.endpoint,
      token: credential.token,
      paced: false,
    });
    await factory.call("repos_create_repository", { owner: org, repo });

    const controller = new AgentClient({
      url: "http://controller.internal",
      fetch: (r) => app.fetch(r, IN_PROCESS),
    });
    const definition = mcpServers({ githubPaced: false }).github;
    const caller = await authenticate(controller, grant.token, "github");
    const mcp = mcpServerFor(definition, selectTools(definition), () => caller);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await mcp.connect(serverSide);
    const inMemory = new Client({ name: "bench", version: "1" });
    await inMemory.connect(clientSide);
    clients.push(inMemory);
    const overHttp = async (token: string) => {
      const client = new Client({ name: "bench", version: "1" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${url}/mcp/github`), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      clients.push(client);
      return client;
    };
    const http = await overHttp(grant.token);

    const read = { owner: org, repo };
    const issue = (i: number) => ({ owner: org, repo, title: `bench issue ${i}`, body: "measured" });
    const paths: [string, Call, Call][] = [
      [
        "read (repos_get_repository)",
        () => factory.call("repos_get_repository", read),
        () => inMemory.callTool({ name: "repos_get_repository", arguments: read }).then(check),
      ],
      [
        "write (issues_create_issue)",
        (i) => factory.call("issues_create_issue", issue(i)),
        (i) => inMemory.callTool({ name: "issues_create_issue", arguments: issue(i) }).then(check),
      ],
    ];
    const rows: McpFigure[] = [];
    for (const [name, direct, gated] of paths) {
      const n = name.startsWith("read") ? sizes.reads : sizes.writes;
      const viaHttp: Call = (i) =>
        http
          .callTool({
            name: name.startsWith("read") ? "repos_get_repository" : "issues_create_issue",
            arguments: name.startsWith("read") ? read : issue(i),
          })
          .then(check);
      for (let i = 0; i < 20; i++) await Promise.all([direct(i), gated(i), viaHttp(i)]);
      const bare = await latency(n, direct);
      const row = (path: string, figures: typeof bare) => ({
        backend,
        call: name,
        path,
        p50: figures.p50,
        p99: figures.p99,
        ratio: figures.p50 / bare.p50,
        perSecond: figures.perSecond,
      });
      rows.push(row("factory, direct", bare));
      rows.push(row("gate, in process", await latency(n, gated)));
      rows.push(row("gate, Streamable HTTP", await latency(n, viaHttp)));
    }

    // Many clients at once, each its own agent and session: reads, against the same number of direct calls.
    const grants = await Promise.all(Array.from({ length: sizes.clients }, mint));
    const many = await Promise.all(grants.map((g) => overHttp(g.token)));
    const directAtOnce = await throughput(
      grants.map(() => () => factory.call("repos_get_repository", read)),
      sizes.each,
    );
    const gatedAtOnce = await throughput(
      many.map(
        (client) => () => client.callTool({ name: "repos_get_repository", arguments: read }).then(check),
      ),
      sizes.each,
    );
    const label = `read, ${sizes.clients} clients at once`;
    rows.push({
      backend,
      call: label,
      path: "factory, direct",
      p50: Number.NaN,
      p99: Number.NaN,
      ratio: 1,
      perSecond: directAtOnce,
    });
    rows.push({
      backend,
      call: label,
      path: "gate, Streamable HTTP",
      p50: Number.NaN,
      p99: Number.NaN,
      ratio: directAtOnce / gatedAtOnce,
      perSecond: gatedAtOnce,
    });
    return rows;
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await routes.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await dispose();
    await github.close();
  }
}

export function formatMcpGate(rows: McpFigure[]) {
  const ms = (v: number) => (Number.isNaN(v) ? "—" : `${fmt(v, 1)} ms`);
  return rows.map((r) => ({
    backend: r.backend,
    call: r.call,
    path: r.path,
    p50: ms(r.p50),
    p99: ms(r.p99),
    "vs direct": `${r.ratio.toFixed(2)}×`,
    "calls/s": fmt(r.perSecond),
  }));
}
