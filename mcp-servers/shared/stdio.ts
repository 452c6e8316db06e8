import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { AgentClient } from "../../controller/client/agent-client.ts";
import { authenticate } from "./caller.ts";
import { Gate } from "./gate.ts";
import { selectTools, type ToolSelection } from "./selection.ts";
import { mcpServerFor } from "./server.ts";
import type { ServerDefinition } from "./tool.ts";

export interface StdioOptions {
  controller: AgentClient;
  /** The grant, from the environment: a local client such as Claude Desktop starts the server with it. */
  token: string;
  selection?: ToolSelection;
  /** Where diagnostics go: stdout belongs to the protocol. */
  log?: (message: string) => void;
}

/**
 * Serves one server over stdio for a local client. The selection and the grant are checked before the
 * first message, so a typo in `--toolsets` or a dead grant fails the start with a clear message.
 */
export async function serveStdio<C>(
  definition: ServerDefinition<C>,
  options: StdioOptions,
): Promise<() => Promise<void>> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const offered = selectTools(definition, options.selection);
  const caller = await authenticate(options.controller, options.token, definition.name);
  const server = mcpServerFor(definition, offered, () => caller, new Gate(definition, log));
  // The client closing stdin ends the session; what the server keeps between calls goes with it.
  server.onclose = () => void definition.close?.();
  await server.connect(new StdioServerTransport());
  log(
    `startup-factory ${definition.name} MCP server on stdio for agent ${caller.grant.sub} (${caller.grant.persona} in ${caller.grant.tenant}); ${offered.length} tools offered`,
  );
  return () => server.close();
}
