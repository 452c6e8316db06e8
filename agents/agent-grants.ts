import type { AgentClient } from "../controller/client/agent-client.ts";
import type { ServerName } from "../controller/client/servers.ts";
import type { Persona } from "./personas.ts";

/** An agent's grants, one per MCP server it reaches; never logged, never stored, never shown to a model. */
export type AgentGrants = Partial<Record<ServerName, string>>;

/**
 * The rest of an agent's grants from its grant for one server (its anchor): the same agent on every other
 * server the persona reaches, and on the AI server that meters its model calls.
 */
export async function agentGrants(
  controller: AgentClient,
  anchor: { server: ServerName; token: string },
  persona: Persona,
): Promise<AgentGrants> {
  const grants: AgentGrants = { [anchor.server]: anchor.token };
  const servers = new Set<ServerName>([...(Object.keys(persona.servers) as ServerName[]), "ai"]);
  for (const server of servers) {
    if (grants[server]) continue;
    grants[server] = (await controller.grantFor(anchor.token, server)).access_token;
  }
  return grants;
}
