import type { Client } from "@modelcontextprotocol/sdk/client/index.js";

/** A tool the runtime itself called answered an error; the message is the gate's (provider text spotlighted). */
export class ToolCallFailed extends Error {
  override name = "ToolCallFailed";
  constructor(
    readonly tool: string,
    message: string,
  ) {
    super(`${tool}: ${message}`);
  }
}

/** A write's answer: done with its result, or waiting for approvers. */
export type WriteAnswer<R = unknown> =
  | { status: "done"; intentId: string; result: R }
  | {
      status: "pending_approval";
      intentId: string;
      approvalId: string;
      policies: string[];
      reasons: string[];
    };

/**
 * Calls a tool as the runtime (not the model) does, through the same gate: the structured answer, or
 * ToolCallFailed with the gate's message.
 */
export async function callTool<T = unknown>(
  client: Client | undefined,
  name: string,
  args: Record<string, unknown>,
): Promise<T> {
  if (!client) throw new ToolCallFailed(name, "the agent holds no grant for this tool's server");
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) {
    const text = (result.content as { type: string; text?: string }[])
      .map((c) => (c.type === "text" ? c.text : ""))
      .join("\n");
    throw new ToolCallFailed(name, text);
  }
  return result.structuredContent as T;
}
