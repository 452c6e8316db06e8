import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { type McpWorld, mcpWorld } from "../../test/support/mcp.ts";

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

/** POSTs initialize with a chosen Host header, as a DNS-rebinding page would reach a loopback server. */
function rawStatus(base: string, token: string, host: string): Promise<number> {
  const url = new URL(`${base}/mcp/github`);
  const body = JSON.stringify(initialize);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: {
          host,
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe.each(backends)("the MCP servers over Streamable HTTP on %s", (backend) => {
  let database: TestDatabase;
  let world: McpWorld;

  beforeAll(async () => {
    database = await freshDatabase(backend);
    world = await mcpWorld(database);
  });
  afterAll(async () => {
    await world?.close();
    await database?.dispose();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${world.url}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...headers,
      },
      body: JSON.stringify(body),
    });

  it("publishes protected-resource metadata (RFC 9728) pointing at the controller, which publishes its own", async () => {
    const resource = await fetch(`${world.url}/.well-known/oauth-protected-resource/mcp/github`);
    expect(resource.status).toBe(200);
    expect(await resource.json()).toMatchObject({
      resource: `${world.url}/mcp/github`,
      authorization_servers: [world.url],
      bearer_methods_supported: ["header"],
    });
    const server = (await (
      await fetch(`${world.url}/.well-known/oauth-authorization-server`)
    ).json()) as Record<string, unknown>;
    expect(server).toMatchObject({
      issuer: world.url,
      token_endpoint: `${world.url}/oauth/token`,
      jwks_uri: `${world.url}/.well-known/jwks.json`,
      grant_types_supported: ["urn:ietf:params:oauth:grant-type:token-exchange"],
    });
    expect((await fetch(`${world.url}/.well-known/oauth-protected-resource/mcp/nope`)).status).toBe(404);
  });

  it("answers a missing grant with 401 and a WWW-Authenticate challenge naming the metadata", async () => {
    const response = await post("/mcp/github", initialize);
    expect(response.status).toBe(401);
    const challenge = response.headers.get("www-authenticate") ?? "";
    expect(challenge).toContain(
      `resource_metadata="${world.url}/.well-known/oauth-protected-resource/mcp/github"`,
    );
    expect(challenge).toContain('error="invalid_token"');
  });

  it("answers a forged, revoked or other server's grant with 401", async () => {
    const forged = await post("/mcp/github", initialize, { authorization: "Bearer aaa.bbb.ccc" });
    expect(forged.status).toBe(401);
    const { token, jti } = await world.mint("dev", "github");
    await world.harness.grants.revoker.revokeGrant("acme", jti, "alice");
    const revoked = await post("/mcp/github", initialize, { authorization: `Bearer ${token}` });
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get("www-authenticate")).toContain("grant_revoked");
    const ai = await world.mint("founder", "ai");
    const elsewhere = await post("/mcp/github", initialize, { authorization: `Bearer ${ai.token}` });
    expect(elsewhere.status).toBe(401);
    expect(((await elsewhere.json()) as { error_description: string }).error_description).toBe(
      "the grant is for the ai server, not github",
    );
  });

  it("answers a grant that covers none of the server's tools with 403 insufficient_scope", async () => {
    const { token } = await world.mint("dev", "github", {
      scope: [{ tools: ["repos_get_nothing_real"], resources: ["acme-api"] }],
    });
    const response = await post("/mcp/github", initialize, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
  });

  it("refuses other hosts and origins, so a rebound DNS name cannot reach the servers from a browser", async () => {
    const { token } = await world.mint("dev", "github");
    const auth = { authorization: `Bearer ${token}` };
    expect((await post("/mcp/github", initialize, { ...auth, origin: "http://evil.example" })).status).toBe(
      403,
    );
    const port = new URL(world.url).port;
    // fetch will not forge a Host header; a raw request does, as a browser on a rebound name would send it.
    expect(await rawStatus(world.url, token, `evil.example:${port}`)).toBe(403);
    expect(await rawStatus(world.url, token, `localhost:${port}`)).toBe(200);
    const allowed = await post("/mcp/github", initialize, { ...auth, origin: `http://localhost:${port}` });
    expect(allowed.status).toBe(200);
  });

  it("binds a session to the agent that opened it", async () => {
    const dev = await world.mint("dev", "github");
    const opened = await post("/mcp/github", initialize, { authorization: `Bearer ${dev.token}` });
    expect(opened.status).toBe(200);
    const session = opened.headers.get("mcp-session-id") as string;
    expect(session).toBeTruthy();
    const other = await world.mint("dev", "github");
    const hijack = await post(
      "/mcp/github",
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
      {
        authorization: `Bearer ${other.token}`,
        "mcp-session-id": session,
        "mcp-protocol-version": "2025-06-18",
      },
    );
    expect(hijack.status).toBe(403);
  });

  it("serves the real SDK client: tools listed by grant, a read and a write through the gate", async () => {
    const { token } = await world.mint("founder", "github");
    const client = await world.overHttp("github", token);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toContain("repos_create_repository");
    expect(tools).not.toContain("repos_archive_repository");
    const created = await client.callTool({
      name: "repos_create_repository",
      arguments: { owner: "acme", repo: "acme-web", description: "site", visibility: "public" },
    });
    expect(created.isError).toBeFalsy();
    expect(created.structuredContent).toMatchObject({ status: "done", result: { name: "acme-web" } });
    const read = await client.callTool({
      name: "repos_get_repository",
      arguments: { owner: "acme", repo: "acme-web" },
    });
    expect(read.structuredContent).toMatchObject({ name: "acme-web", visibility: "public" });
  });
});
