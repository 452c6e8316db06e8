import type { StructuredToolInterface } from "@langchain/core/tools";
import { loadMcpTools } from "@langchain/mcp-adapters";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { ServerName } from "../controller/client/servers.ts";
import type { AgentGrants } from "./agent-grants.ts";
import type { McpLink } from "./mcp-link.ts";
import type { Persona } from "./personas.ts";

/** Tool names the model sees: `<server>__<tool>`, since GitHub and Azure DevOps share tool names. */
export const SEPARATOR = "__";
export const toolName = (server: ServerName, tool: string) => `${server}${SEPARATOR}${tool}`;

/**
 * The model reads a tool's text (which already holds its structured result, provider text spotlighted);
 * the structured result rides along as the message's artifact, where the runtime finds pending approvals.
 */
function textAndStructured(content: unknown): [string, { type: string; data: unknown }[]] {
  const blocks = (Array.isArray(content) ? content : [content]) as {
    type?: string;
    text?: string;
    structuredContent?: unknown;
  }[];
  const text = blocks
    .map((b) => (typeof b === "string" ? b : b.type === "text" ? (b.text ?? "") : ""))
    .join("\n");
  const structured = blocks.find((b) => typeof b === "object" && b.structuredContent)?.structuredContent;
  return [text, structured ? [{ type: "mcp_structured_content", data: structured }] : []];
}

/** An agent's open MCP connections: the tools its model sees, and the clients the runtime itself uses. */
export interface Toolbox {
  tools: StructuredToolInterface[];
  clients: Partial<Record<ServerName, Client>>;
  close(): Promise<void>;
}

/**
 * Connects to every server the persona reaches (and always to the AI server, which meters its model calls),
 * each with the agent's grant for it, and loads the tools of the persona's toolsets as LangChain tools.
 * The grant decides what each server lists; the toolsets narrow what the model is shown.
 */
export async function openToolbox(
  link: McpLink,
  grants: AgentGrants,
  persona: Persona,
  toolsetOf: (server: ServerName, tool: string) => string | undefined,
): Promise<Toolbox> {
  const clients: Partial<Record<ServerName, Client>> = {};
  const close = () =>
    Promise.all(Object.values(clients).map((c) => c.close().catch(() => {}))).then(() => {});
  try {
    const servers = new Set<ServerName>([...(Object.keys(persona.servers) as ServerName[]), "ai"]);
    const tools: StructuredToolInterface[] = [];
    for (const server of servers) {
      const token = grants[server];
      if (!token) continue;
      const client = await link.connect(server, token);
      clients[server] = client;
      const wanted = new Set(persona.servers[server] ?? []);
      const loaded = await loadMcpTools(server, client, {
        prefixToolNameWithServerName: true,
        // The adapters type artifacts as content blocks; ours is the structured result, read back by the runtime.
        afterToolCall: ({ result }) => ({ result: textAndStructured(result[0]) as unknown as [string, []] }),
      });
      tools.push(
        ...loaded.filter((tool) => {
          const bare = tool.name.slice(server.length + SEPARATOR.length);
          return wanted.has(toolsetOf(server, bare) ?? "");
        }),
      );
    }
    return { tools, clients, close };
  } catch (error) {
    await close();
    throw error;
  }
}
