import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { AgentClient } from "../controller/client/agent-client.ts";
import type { ServerName } from "../controller/client/servers.ts";
import { authenticate } from "../mcp-servers/shared/caller.ts";
import { selectTools } from "../mcp-servers/shared/selection.ts";
import { mcpServerFor } from "../mcp-servers/shared/server.ts";
import type { ServerDefinition } from "../mcp-servers/shared/tool.ts";
import { sharedValidators } from "./schema-validators.ts";

const CLIENT_INFO = { name: "startup-factory-agent", version: "0.1.0" };

/** How an agent reaches an MCP server with one of its grants: a real MCP client either way. */
export interface McpLink {
  connect(server: ServerName, token: string): Promise<Client>;
}

/**
 * The servers in this process, over in-memory transports; they reach the controller through `controller`
 * (over HTTP, or in process). A spawned child's grant reaches the runtime through the AI server's hook.
 */
export function inProcessLink(
  controller: AgentClient,
  // biome-ignore lint/suspicious/noExplicitAny: each server has its own context type
  servers: Record<ServerName, ServerDefinition<any>>,
): McpLink {
  return {
    async connect(name, token) {
      const definition = servers[name];
      const caller = await authenticate(controller, token, name);
      const server = mcpServerFor(definition, selectTools(definition), () => caller);
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await server.connect(serverSide);
      const client = new Client(CLIENT_INFO, { jsonSchemaValidator: sharedValidators });
      await client.connect(clientSide);
      return client;
    },
  };
}

/** The servers a controller serves at `<base>/mcp/<server>`, over Streamable HTTP with the grant as bearer. */
export function httpLink(base: string): McpLink {
  return {
    async connect(name, token) {
      const client = new Client(CLIENT_INFO, { jsonSchemaValidator: sharedValidators });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${base.replace(/\/$/, "")}/mcp/${name}`), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      return client;
    },
  };
}
