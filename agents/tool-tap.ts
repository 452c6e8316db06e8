import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { decodeJwt } from "jose";
import type { ServerName } from "../controller/client/servers.ts";
import type { McpLink } from "./mcp-link.ts";

/** One tool call at the MCP boundary, as the agent made it and as the server answered. */
export interface TappedCall {
  server: ServerName;
  agentId: string;
  persona: string;
  tool: string;
  arguments: Record<string, unknown>;
  isError: boolean;
  /** The structured result, when the tool gave one (a write's `{status, …}`, a read's object). */
  structured: unknown;
  /** The text the model reads. */
  text: string;
}

const textOf = (content: unknown) =>
  Array.isArray(content)
    ? content
        .map((c) => ((c as { type?: string }).type === "text" ? (c as { text: string }).text : ""))
        .join("\n")
    : "";

/**
 * A link whose clients report every tool call they make, after the server answers: the trajectory evals grade
 * and record. Who called is read from the grant's claims (this runtime's own grant, already verified by the
 * server it was sent to).
 */
export function tappedLink(link: McpLink, onCall: (call: TappedCall) => void): McpLink {
  return {
    async connect(server, token) {
      const client: Client = await link.connect(server, token);
      const claims = decodeJwt(token) as { sub?: string; persona?: string };
      const call = client.callTool.bind(client);
      client.callTool = (async (params, ...rest) => {
        const result = await call(params, ...rest);
        onCall({
          server,
          agentId: String(claims.sub),
          persona: String(claims.persona),
          tool: params.name,
          arguments: (params.arguments ?? {}) as Record<string, unknown>,
          isError: Boolean(result.isError),
          structured: result.structuredContent,
          text: textOf(result.content),
        });
        return result;
      }) as Client["callTool"];
      return client;
    },
  };
}
