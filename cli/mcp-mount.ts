import type { Hono } from "hono";
import { AgentClient } from "../controller/client/agent-client.ts";
import { IN_PROCESS } from "../controller/http/in-process.ts";
import { type CatalogOptions, mcpServers } from "../mcp-servers/catalog.ts";
import { type McpHttpOptions, mcpRoutes } from "../mcp-servers/shared/http.ts";

/**
 * Mounts the four MCP servers' Streamable HTTP endpoints on the controller's app. In the same process they
 * reach the controller through its own request handler: the same HTTP API, without a socket.
 */
// biome-ignore lint/suspicious/noExplicitAny: any controller app
export function mountMcpServers(
  app: Hono<any>,
  options: CatalogOptions & Pick<McpHttpOptions, "allowedHosts" | "selection"> = {},
) {
  const routes = mcpRoutes({
    servers: Object.values(mcpServers(options)),
    controller: new AgentClient({
      url: "http://controller.internal",
      fetch: (request) => app.fetch(request, IN_PROCESS),
    }),
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.selection ? { selection: options.selection } : {}),
  });
  app.route("/", routes);
  return routes;
}
