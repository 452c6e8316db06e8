import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { toolInScope } from "../../controller/client/glob.ts";
import { Gate, type Interaction } from "./gate.ts";
import type { Caller, ServerDefinition, ToolDefinition } from "./tool.ts";
import { wireTool } from "./wire.ts";

export const SERVER_VERSION = "0.1.0";

/** How a tool is listed: its title and all four hints, explicitly, and both schemas. */
export function listedTool(tool: ToolDefinition<unknown>): Tool {
  const wire = wireTool(tool);
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: wire.inputSchema as Tool["inputSchema"],
    outputSchema: wire.outputSchema as Tool["outputSchema"],
    annotations: { title: tool.title, ...tool.hints },
  };
}

/** Asks the user, through the client, to say when a pending approval has been granted. */
function approvalPrompt(server: Server): Interaction {
  return {
    async awaitApproval(pending, tool) {
      if (!server.getClientCapabilities()?.elicitation) return false;
      const answer = await server.elicitInput({
        mode: "form",
        message: `${tool} waits for approval ${pending.approvalId} (${pending.reasons.join("; ")}). Approve it (factory approvals approve ${pending.approvalId}), then confirm here to run the call.`,
        requestedSchema: {
          type: "object",
          properties: {
            approved: {
              type: "boolean",
              title: "The approval has been granted",
              description: "Confirm once the approvers have approved; the call then runs",
            },
          },
          required: ["approved"],
        },
      });
      return answer.action === "accept" && answer.content?.approved === true;
    },
  };
}

/**
 * An MCP server for one caller: it lists the offered tools the caller's grant covers and runs every call
 * through the gate. One per session, since what it lists depends on whose grant it holds.
 */
export function mcpServerFor<C>(
  definition: ServerDefinition<C>,
  offered: readonly ToolDefinition<C>[],
  caller: () => Caller,
  gate: Gate<C> = new Gate(definition),
): Server {
  const server = new Server(
    { name: `startup-factory-${definition.name}`, title: definition.title, version: SERVER_VERSION },
    { capabilities: { tools: { listChanged: false } }, instructions: definition.instructions },
  );
  const byName = new Map(offered.map((tool) => [tool.name, tool]));
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: offered
      .filter((tool) => toolInScope(caller().grant.scope, tool.name))
      .map((tool) => listedTool(tool as ToolDefinition<unknown>)),
  }));
  server.setRequestHandler(CallToolRequestSchema, (request) => {
    const tool = byName.get(request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `unknown tool ${request.params.name}`);
    // A tool outside the grant still goes to the controller, which denies it and says which policy did.
    return gate.call(tool, caller(), request.params.arguments, approvalPrompt(server));
  });
  return server;
}
