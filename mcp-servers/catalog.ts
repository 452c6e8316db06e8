import type { ServerName } from "../controller/client/servers.ts";
import { aiServer, type SpawnedAgent } from "./ai/server.ts";
import { azureDevOpsServer } from "./azure-devops/server.ts";
import { databaseServer } from "./database/server.ts";
import type { DatabaseTargets } from "./database/targets.ts";
import { githubServer } from "./github/server.ts";
import type { ServerDefinition } from "./shared/tool.ts";

export interface CatalogOptions {
  /** Pace GitHub writes as GitHub asks integrations to; the sandbox needs no pacing. */
  githubPaced?: boolean;
  /**
   * How many milliseconds one second of a provider's Retry-After lasts (GitHub's, with its retry backoff, and
   * Azure DevOps's): 1000 unless a world scales its waits down (evals: the clients still wait and retry, in
   * less time).
   */
  retryAfterUnitMs?: number;
  /** Receives each spawned child agent's grant (the agent runtime runs it); it never reaches a model. */
  onSpawn?: (child: SpawnedAgent) => Promise<void>;
  /** The tenant databases' targets, when the caller holds them (an eval world reads and closes them itself). */
  databaseTargets?: DatabaseTargets;
}

/** The four servers, each over its governance factory. */
// biome-ignore lint/suspicious/noExplicitAny: each server has its own context type
export function mcpServers(options: CatalogOptions = {}): Record<ServerName, ServerDefinition<any>> {
  return {
    github: githubServer({
      paced: options.githubPaced ?? true,
      ...(options.retryAfterUnitMs ? { retryAfterUnitMs: options.retryAfterUnitMs } : {}),
    }),
    "azure-devops": azureDevOpsServer(
      options.retryAfterUnitMs ? { retryAfterUnitMs: options.retryAfterUnitMs } : {},
    ),
    database: databaseServer(options.databaseTargets),
    ai: aiServer(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
  };
}

/** Each server's toolset names, in the order its tools list them. */
export function toolsets(): Record<ServerName, string[]> {
  const servers = mcpServers();
  const names = (server: ServerName) => [...new Set(servers[server].tools.map((t) => t.toolset))];
  return {
    github: names("github"),
    "azure-devops": names("azure-devops"),
    database: names("database"),
    ai: names("ai"),
  };
}

/** Every server's tool definitions, by `<server>/<tool>`. */
function toolIndex() {
  return new Map(
    Object.values(mcpServers()).flatMap((s) => s.tools.map((t) => [`${s.name}/${t.name}`, t] as const)),
  );
}

/** Which toolset a server's tool belongs to. */
export function toolsetLookup(): (server: ServerName, tool: string) => string | undefined {
  const index = toolIndex();
  return (server, tool) => index.get(`${server}/${tool}`)?.toolset;
}

/** Where each tool's arguments hold secrets (its `sensitive` paths), by server and tool. */
export function sensitiveLookup(): (server: ServerName, tool: string) => readonly string[] {
  const index = toolIndex();
  return (server, tool) => index.get(`${server}/${tool}`)?.sensitive ?? [];
}
