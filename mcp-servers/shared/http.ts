import { randomUUID } from "node:crypto";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { type Context, Hono } from "hono";
import { type AgentClient, ControllerRefused } from "../../controller/client/agent-client.ts";
import { toolInScope } from "../../controller/client/glob.ts";
import { authenticate } from "./caller.ts";
import { Gate } from "./gate.ts";
import { hostGuard } from "./host-guard.ts";
import { selectTools, type ToolSelection } from "./selection.ts";
import { mcpServerFor } from "./server.ts";
import type { Caller, ServerDefinition, ToolDefinition } from "./tool.ts";

export interface McpHttpOptions {
  // biome-ignore lint/suspicious/noExplicitAny: each server has its own context type
  servers: readonly ServerDefinition<any>[];
  controller: AgentClient;
  /** The authorization server clients get grants from (RFC 9728); the serving origin when not given. */
  authorizationServer?: string;
  /** Host names allowed in Host and Origin (DNS-rebinding protection); loopback names by default. */
  allowedHosts?: readonly string[];
  selection?: ToolSelection;
  /** Sessions idle this long are closed. */
  sessionIdleMs?: number;
}

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: Server;
  agent: string;
  caller: Caller;
  seen: number;
}

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Streamable HTTP for every server at `/mcp/<server>`, with OAuth protected-resource metadata (RFC 9728)
 * pointing at the controller. Each request's grant is verified by the controller; a session stays bound
 * to the agent that opened it. Missing or bad grants get 401 with `WWW-Authenticate`, grants that cover
 * nothing here get 403.
 */
export function mcpRoutes(options: McpHttpOptions): Hono & { close(): Promise<void> } {
  const app = new Hono();
  const sessions = new Map<string, Session>();
  const idleMs = options.sessionIdleMs ?? 30 * 60_000;
  const servers = new Map(
    options.servers.map((definition) => [
      definition.name as string,
      { definition, offered: selectTools(definition, options.selection), gate: new Gate(definition) },
    ]),
  );
  const metadataUrl = (c: Context, server: string) =>
    `${new URL(c.req.url).origin}/.well-known/oauth-protected-resource/mcp/${server}`;
  const challenge = (c: Context, server: string, error: string, description: string) =>
    `Bearer resource_metadata="${metadataUrl(c, server)}", error="${error}", error_description="${description.replaceAll('"', "'")}"`;

  app.get("/.well-known/oauth-protected-resource/mcp/:server", (c) => {
    const entry = servers.get(c.req.param("server"));
    if (!entry) return c.json({ error: "not_found" }, 404);
    const origin = new URL(c.req.url).origin;
    return c.json({
      resource: `${origin}/mcp/${entry.definition.name}`,
      authorization_servers: [options.authorizationServer ?? origin],
      bearer_methods_supported: ["header"],
      resource_name: entry.definition.title,
      resource_documentation: `${origin}/docs`,
    });
  });

  app.use("/mcp/*", hostGuard(options.allowedHosts));
  app.all("/mcp/:server", async (c) => {
    const name = c.req.param("server");
    const entry = servers.get(name);
    if (!entry) return c.json({ error: "not_found", error_description: `no MCP server ${name}` }, 404);
    const token = BEARER.exec(c.req.header("authorization") ?? "")?.[1];
    if (!token) {
      c.header("www-authenticate", challenge(c, name, "invalid_token", "send the grant as a bearer token"));
      return c.json({ error: "invalid_token", error_description: "send the grant as a bearer token" }, 401);
    }
    let caller: Caller;
    try {
      caller = await authenticate(options.controller, token, name);
    } catch (error) {
      if (!(error instanceof ControllerRefused) || error.status !== 401) throw error;
      c.header("www-authenticate", challenge(c, name, "invalid_token", `${error.code}: ${error.message}`));
      return c.json({ error: "invalid_token", error_description: error.message }, 401);
    }
    if (!entry.offered.some((tool: ToolDefinition<unknown>) => toolInScope(caller.grant.scope, tool.name))) {
      const description = `the grant covers no tool this ${name} server offers`;
      c.header("www-authenticate", challenge(c, name, "insufficient_scope", description));
      return c.json({ error: "insufficient_scope", error_description: description }, 403);
    }

    const sessionId = c.req.header("mcp-session-id");
    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session)
        return c.json(
          { jsonrpc: "2.0", error: { code: -32001, message: "session not found" }, id: null },
          404,
        );
      if (session.agent !== caller.grant.sub)
        return c.json({ error: "forbidden", error_description: "the session belongs to another agent" }, 403);
      session.caller = caller;
      session.seen = Date.now();
      return session.transport.handleRequest(c.req.raw);
    }
    const body = c.req.method === "POST" ? await c.req.json().catch(() => undefined) : undefined;
    if (!isInitializeRequest(body))
      return c.json(
        {
          jsonrpc: "2.0",
          error: { code: -32000, message: "send initialize first, or the mcp-session-id header" },
          id: null,
        },
        400,
      );
    const session = { agent: caller.grant.sub, caller, seen: Date.now() } as Session;
    session.transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, session),
      onsessionclosed: (id) => void sessions.delete(id),
    });
    session.server = mcpServerFor(entry.definition, entry.offered, () => session.caller, entry.gate);
    await session.server.connect(session.transport);
    return session.transport.handleRequest(c.req.raw, { parsedBody: body });
  });

  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const [id, session] of sessions)
        if (now - session.seen > idleMs) {
          sessions.delete(id);
          void session.server.close();
        }
    },
    Math.min(idleMs, 60_000),
  );
  sweep.unref();

  return Object.assign(app, {
    async close() {
      clearInterval(sweep);
      await Promise.all([...sessions.values()].map((s) => s.server.close()));
      sessions.clear();
      await Promise.all([...servers.values()].map(({ definition }) => definition.close?.()));
    },
  });
}
