import { AgentClient } from "../controller/client/agent-client.ts";
import type { createApp } from "../controller/http/app.ts";
import { IN_PROCESS } from "../controller/http/in-process.ts";
import { spawnClaimRoutes } from "../mcp-servers/ai/claim-route.ts";
import { SpawnRegistry } from "../mcp-servers/ai/spawned.ts";
import { type CatalogOptions, mcpServers } from "../mcp-servers/catalog.ts";
import { type McpHttpOptions, mcpRoutes } from "../mcp-servers/shared/http.ts";

type ControllerApp = ReturnType<typeof createApp>;

/**
 * Mounts the four MCP servers' Streamable HTTP endpoints on the controller's app. In the same process they
 * reach the controller through its own request handler: the same HTTP API, without a socket. Children spawned
 * through the AI server wait, unless `onSpawn` takes them, for their parent to claim them over HTTP.
 */
export function mountMcpServers(
  app: ControllerApp,
  options: CatalogOptions & Pick<McpHttpOptions, "allowedHosts" | "selection"> = {},
) {
  const controller = new AgentClient({
    url: "http://controller.internal",
    fetch: (request) => app.fetch(request, IN_PROCESS),
  });
  const spawned = new SpawnRegistry();
  const routes = mcpRoutes({
    servers: Object.values(mcpServers({ onSpawn: (child) => spawned.hold(child), ...options })),
    controller,
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.selection ? { selection: options.selection } : {}),
  });
  app.route("/", spawnClaimRoutes(spawned, controller));
  app.route("/", routes);
  return routes;
}
