import { z } from "zod";
import type { ToolDefinition } from "./tool.ts";

/** The field a write takes when it is retried after waiting for approval. */
export const ApprovalIdField = z
  .string()
  .min(1)
  .optional()
  .describe(
    "only when retrying a call that waited for approval: the approvalId it returned; the call runs once approved",
  );

/** What a write answers while it waits for people to approve it. */
export const PendingApproval = z.object({
  status: z.literal("pending_approval"),
  intentId: z.string().describe("the write intent recorded in the ledger"),
  approvalId: z.string().describe("pass it back as approvalId, with the same arguments, once approved"),
  policies: z.array(z.string()).describe("the policies that asked for approval"),
  reasons: z.array(z.string()),
});
export type PendingApproval = z.infer<typeof PendingApproval>;

/** A tool as clients see it: writes take `approvalId` and answer `done` with a result, or `pending_approval`. */
export interface WireTool {
  input: z.ZodObject;
  output: z.ZodType;
  /** JSON Schemas for tools/list, computed once. */
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
}

const jsonSchema = (schema: z.ZodType, io: "input" | "output") => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  // MCP wants an object at the root; a discriminated union of objects is one.
  return { type: "object", ...rest };
};

const cache = new WeakMap<object, WireTool>();

export function wireTool(tool: ToolDefinition<unknown>): WireTool {
  const cached = cache.get(tool);
  if (cached) return cached;
  const input = tool.hints.readOnlyHint ? tool.input : tool.input.extend({ approvalId: ApprovalIdField });
  const output = tool.hints.readOnlyHint
    ? tool.output
    : z.discriminatedUnion("status", [
        z.object({
          status: z.literal("done"),
          intentId: z.string().describe("the write intent recorded in the ledger"),
          result: tool.output,
        }),
        PendingApproval,
      ]);
  const wire = {
    input,
    output,
    inputSchema: jsonSchema(input, "input"),
    outputSchema: jsonSchema(output, "output"),
  };
  cache.set(tool, wire);
  return wire;
}
