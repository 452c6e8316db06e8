import type { AgentClient } from "../controller/client/agent-client.ts";
import type { ServerName } from "../controller/client/servers.ts";
import { type AgentGrants, agentGrants } from "./agent-grants.ts";
import type { McpLink } from "./mcp-link.ts";
import type { Persona, PersonaName } from "./personas.ts";
import { openToolbox, type Toolbox } from "./toolbox.ts";

/** What every agent in a process is built from. */
export interface AgentRuntime {
  controller: AgentClient;
  link: McpLink;
  personas: ReadonlyMap<PersonaName, Persona>;
  toolsetOf: (server: ServerName, tool: string) => string | undefined;
}

/** An agent ready to run: its persona, its grants (one per server) and its open MCP connections. */
export interface EquippedAgent {
  agentId: string;
  persona: Persona;
  grants: AgentGrants;
  toolbox: Toolbox;
}

/** Equips the agent holding `anchor` (a grant for one server) with its grants and tools on every other. */
export async function equipAgent(
  runtime: AgentRuntime,
  anchor: { server: ServerName; token: string },
): Promise<EquippedAgent> {
  const grant = await runtime.controller.introspect(anchor.token);
  const persona = runtime.personas.get(grant.persona as PersonaName);
  if (!persona) throw new Error(`there is no persona ${grant.persona} in this runtime`);
  const grants = await agentGrants(runtime.controller, anchor, persona);
  const toolbox = await openToolbox(runtime.link, grants, persona, runtime.toolsetOf);
  return { agentId: grant.sub, persona, grants, toolbox };
}
