import { randomUUID } from "node:crypto";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import { ControllerRefused, ControllerUnavailable } from "../../controller/client/agent-client.ts";
import type { IntentDecisionView } from "../../controller/client/views.ts";
import { hideSensitive } from "./sensitive-paths.ts";
import type { Caller, ServerDefinition, ToolDefinition } from "./tool.ts";
import { markUntrusted, spotlight } from "./untrusted.ts";
import type { PendingApproval } from "./wire.ts";
import { wireTool } from "./wire.ts";

/** What the client can do for a call beyond answering it: ask its user about a pending approval. */
export interface Interaction {
  /** Asks the user to say when the approval is granted; true when they say it is. */
  awaitApproval?(pending: PendingApproval, tool: string): Promise<boolean>;
}

/** Where the gate reports what it cannot tell the caller (a lost outcome report): stderr, never stdout. */
export type GateLog = (message: string) => void;

const text = (message: string): CallToolResult => ({
  isError: true,
  content: [{ type: "text", text: message }],
});

/** Every invalid field, each named by its path. */
function invalidArguments(tool: string, error: z.ZodError): CallToolResult {
  const fields = error.issues.map((issue) => `${issue.path.join(".") || "(arguments)"}: ${issue.message}`);
  return text(`Invalid arguments for ${tool}: ${fields.join("; ")}`);
}

function refusal(error: unknown): CallToolResult {
  if (error instanceof ControllerRefused) {
    if (error.status === 401)
      return text(`The grant was refused (${error.code}): ${error.message}. Ask for a new grant.`);
    return text(`The controller refused the call (${error.code}): ${error.message}`);
  }
  if (error instanceof ControllerUnavailable) return text(`${error.message}; the call was not made.`);
  throw error;
}

const denied = (tool: string, decision: { policies: string[]; reasons: string[] }) =>
  text(`${tool} was denied by policy ${decision.policies.join(", ")}: ${decision.reasons.join("; ")}`);

/** The arguments as the intent records them: secrets marked, the approval id apart. */
function intentArguments(tool: ToolDefinition<unknown>, args: Record<string, unknown>) {
  const { approvalId: _, ...rest } = args;
  return hideSensitive(rest, tool.sensitive ?? [], (value) => ({ $sensitive: value }));
}

function answer(structured: Record<string, unknown>, notice?: string): CallToolResult {
  const body = JSON.stringify(structured, null, 2);
  return {
    structuredContent: structured,
    content: [{ type: "text", text: notice ? `${notice}\n\n${body}` : body }],
  };
}

/**
 * The gate every tool call passes: arguments validated (naming each bad field), the call decided by the
 * controller (a read on the spot, a write by recording its intent in the ledger before it runs), the
 * factory called with the credential brokered for the grant, the outcome recorded, and provider text
 * spotlighted. Refusals and failures come back as `isError` results the model can read.
 */
export class Gate<C> {
  readonly #server: ServerDefinition<C>;
  readonly #log: GateLog;

  constructor(server: ServerDefinition<C>, log: GateLog = (m) => process.stderr.write(`${m}\n`)) {
    this.#server = server;
    this.#log = log;
  }

  async call(
    tool: ToolDefinition<C>,
    caller: Caller,
    raw: unknown,
    interaction: Interaction = {},
  ): Promise<CallToolResult> {
    const wire = wireTool(tool as ToolDefinition<unknown>);
    const parsed = wire.input.safeParse(raw ?? {});
    if (!parsed.success) return invalidArguments(tool.name, parsed.error);
    const args = parsed.data as Record<string, unknown>;
    const resource = tool.resource(args, caller.grant);
    try {
      if (tool.hints.readOnlyHint) {
        const { decision } = await caller.controller.decideRead(caller.token, { tool: tool.name, resource });
        if (decision.effect !== "allow") return denied(tool.name, decision);
        return this.#read(tool, caller, args);
      }
      let context: C | undefined;
      let plan: unknown;
      if (tool.preview && !args.approvalId) {
        try {
          context = await this.#server.connect(caller);
          plan = await tool.preview(context, this.#input(args));
        } catch (error) {
          return this.#failed(tool, error);
        }
      }
      let decision = await this.#intent(tool, caller, args, resource, plan);
      if (decision.decision === "needs-approval" && decision.approvalId && !args.approvalId) {
        const pending = this.#pending(decision);
        if (!(await interaction.awaitApproval?.(pending, tool.name))) return answer(pending);
        context = undefined; // people took their time: the next call gets a fresh credential
        decision = await this.#intent(tool, caller, { ...args, approvalId: decision.approvalId }, resource);
      }
      if (decision.decision === "deny") return denied(tool.name, decision);
      if (decision.decision === "needs-approval") return answer(this.#pending(decision));
      return this.#write(tool, caller, args, decision.intentId, context);
    } catch (error) {
      return refusal(error);
    }
  }

  #intent(
    tool: ToolDefinition<C>,
    caller: Caller,
    args: Record<string, unknown>,
    resource: { kind: string; name: string },
    plan?: unknown,
  ) {
    return caller.controller.recordIntent(caller.token, {
      tool: tool.name,
      resource,
      ...(plan === undefined ? {} : { plan }),
      idempotencyKey: `call_${randomUUID()}`,
      arguments: intentArguments(tool as ToolDefinition<unknown>, args),
      ...(typeof args.approvalId === "string" ? { approvalId: args.approvalId } : {}),
    });
  }

  /** What the tool itself takes: the arguments without the gate's own `approvalId`. */
  #input(args: Record<string, unknown>): Record<string, unknown> {
    const { approvalId: _, ...input } = args;
    return input;
  }

  #pending(decision: IntentDecisionView): PendingApproval {
    return {
      status: "pending_approval",
      intentId: decision.intentId,
      approvalId: decision.approvalId as string,
      policies: decision.policies,
      reasons: decision.reasons,
    };
  }

  async #read(
    tool: ToolDefinition<C>,
    caller: Caller,
    args: Record<string, unknown>,
  ): Promise<CallToolResult> {
    let output: unknown;
    try {
      output = await tool.run(await this.#server.connect(caller), args);
    } catch (error) {
      return this.#failed(tool, error);
    }
    return this.#result(tool, output, (shaped) => shaped);
  }

  async #write(
    tool: ToolDefinition<C>,
    caller: Caller,
    args: Record<string, unknown>,
    intentId: string,
    context?: C,
  ): Promise<CallToolResult> {
    let output: unknown;
    try {
      output = await tool.run(context ?? (await this.#server.connect(caller)), this.#input(args));
    } catch (error) {
      await this.#outcome(caller, intentId, "failed", { error: (error as Error).message });
      return this.#failed(tool, error);
    }
    const failure = tool.failure?.(output as never);
    await this.#outcome(
      caller,
      intentId,
      failure ? "failed" : "succeeded",
      failure ? { error: failure } : undefined,
    );
    return this.#result(tool, output, (shaped) => ({ status: "done", intentId, result: shaped }));
  }

  async #outcome(
    caller: Caller,
    intentId: string,
    status: "succeeded" | "failed",
    detail?: Record<string, unknown>,
  ) {
    // The write has happened (or failed) either way: a lost report is flagged by the intent's deadline.
    await caller.controller
      .reportOutcome(caller.token, intentId, { status, ...(detail ? { detail } : {}) })
      .catch((error) =>
        this.#log(`${this.#server.name}: outcome of ${intentId} not recorded: ${(error as Error).message}`),
      );
  }

  #failed(tool: ToolDefinition<C>, error: unknown): CallToolResult {
    if (error instanceof ControllerRefused || error instanceof ControllerUnavailable) return refusal(error);
    // A factory's error carries the provider's own message, which can echo what anyone wrote: marked too.
    const light = spotlight();
    return text(`${light.notice}\n\n${tool.name} failed: ${light.wrap((error as Error).message)}`);
  }

  /** Shapes the output by the tool's schema (dropping anything undeclared) and spotlights provider text. */
  #result(tool: ToolDefinition<C>, output: unknown, envelope: (shaped: unknown) => unknown): CallToolResult {
    const shaped = tool.output.safeParse(output);
    if (!shaped.success)
      return text(
        `${tool.name} returned a result that does not match its output schema: ${shaped.error.message}`,
      );
    if (!tool.untrusted?.length) return answer(envelope(shaped.data) as Record<string, unknown>);
    const light = spotlight();
    const marked = markUntrusted(shaped.data, tool.untrusted, light);
    return answer(envelope(marked) as Record<string, unknown>, light.notice);
  }
}
