import { ToolMessage } from "@langchain/core/messages";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { interrupt, isGraphInterrupt } from "@langchain/langgraph";
import { createMiddleware } from "langchain";

/** The agent's grants were revoked (or expired): it stops, and says so, rather than carry on blind. */
export class AgentStopped extends Error {
  override name = "AgentStopped";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A write waiting for approvers, as the gate answers it. */
export interface PendingApproval {
  approvalId: string;
  intentId: string;
  tool: string;
  policies: string[];
  reasons: string[];
}

/** A tool call as the runtime reports it to whoever watches (the chat, the run's log). */
export interface ToolCallReport {
  tool: string;
  /** `refused`: the model asked for a tool it is not offered (no grant of its covers it). */
  status: "done" | "error" | "pending_approval" | "refused";
}

/** What a run waiting on approvals is interrupted with; resume it (with anything) once they are decided. */
export interface ApprovalInterrupt {
  type: "approval";
  approvals: PendingApproval[];
}

const GRANT_DEAD = /grant_(?:revoked|ancestor_revoked|expired)/;

/** The gate's `pending_approval` answer inside a tool message's artifact, if it is one. */
export function pendingOf(message: ToolMessage): PendingApproval | undefined {
  const artifacts = Array.isArray(message.artifact) ? message.artifact : [];
  for (const artifact of artifacts as { type?: string; data?: Record<string, unknown> }[]) {
    const data = artifact.type === "mcp_structured_content" ? artifact.data : undefined;
    if (data?.status === "pending_approval")
      return {
        approvalId: String(data.approvalId),
        intentId: String(data.intentId),
        tool: message.name ?? "",
        policies: (data.policies as string[]) ?? [],
        reasons: (data.reasons as string[]) ?? [],
      };
  }
  return undefined;
}

/** The tool messages answering the model's last turn. */
function lastToolMessages(messages: unknown[]): ToolMessage[] {
  const out: ToolMessage[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (!ToolMessage.isInstance(message)) break;
    out.unshift(message);
  }
  return out;
}

/**
 * Tool calls as the governed runtime makes them. A denial or a provider's refusal goes back to the model as
 * data (an error tool message with the gate's words); a dead grant stops the agent. A write that answers
 * `pending_approval` interrupts the run before the next model turn, in a node of its own so nothing is
 * called twice on resume; once resumed, the same call is made again with its `approvalId`, and its answer
 * (done, or denied) replaces the pending one.
 */
export function governedTools(tools: StructuredToolInterface[], onToolCall?: (call: ToolCallReport) => void) {
  const byName = new Map(tools.map((t) => [t.name, t]));
  const report = (message: ToolMessage) =>
    onToolCall?.({
      tool: message.name ?? "",
      status: pendingOf(message) ? "pending_approval" : message.status === "error" ? "error" : "done",
    });
  return createMiddleware({
    name: "GovernedTools",
    wrapToolCall: async (request, handler) => {
      // Least privilege, said plainly: a tool outside the agent's grants is never offered, and asking for
      // one reaches no server.
      if (!request.tool) {
        onToolCall?.({ tool: request.toolCall.name, status: "refused" });
        return new ToolMessage({
          content: `${request.toolCall.name} is not offered to you: none of your grants covers it. Use the tools you have, or say what you need and who can do it.`,
          tool_call_id: request.toolCall.id ?? "",
          name: request.toolCall.name,
          status: "error",
        });
      }
      let answer: ToolMessage;
      try {
        const result = await handler(request);
        if (!ToolMessage.isInstance(result)) return result;
        answer = result;
      } catch (error) {
        if (isGraphInterrupt(error)) throw error;
        const message = error instanceof Error ? error.message : String(error);
        const dead = GRANT_DEAD.exec(message);
        if (dead) throw new AgentStopped(dead[0], `the agent's grant was refused: ${message}`);
        answer = new ToolMessage({
          content: message,
          tool_call_id: request.toolCall.id ?? "",
          name: request.toolCall.name,
          status: "error",
        });
      }
      report(answer);
      return answer;
    },
    beforeModel: async (state) => {
      const waiting = lastToolMessages(state.messages)
        .map((message) => ({ message, pending: pendingOf(message) }))
        .filter((w): w is { message: ToolMessage; pending: PendingApproval } => w.pending !== undefined);
      if (waiting.length === 0) return undefined;
      const calls = new Map(
        (
          state.messages.findLast((m) => m.type === "ai") as { tool_calls?: { id?: string; args: object }[] }
        ).tool_calls?.map((c) => [c.id, c.args]) ?? [],
      );
      interrupt({ type: "approval", approvals: waiting.map((w) => w.pending) } satisfies ApprovalInterrupt);
      const answered: ToolMessage[] = [];
      for (const { message, pending } of waiting) {
        const tool = byName.get(pending.tool);
        let answer: ToolMessage;
        try {
          answer = (await tool?.invoke({
            id: message.tool_call_id,
            name: pending.tool,
            type: "tool_call",
            args: { ...calls.get(message.tool_call_id), approvalId: pending.approvalId },
          })) as ToolMessage;
        } catch (error) {
          const text = error instanceof Error ? error.message : String(error);
          if (GRANT_DEAD.test(text))
            throw new AgentStopped("grant", `the agent's grant was refused: ${text}`);
          answer = new ToolMessage({ content: text, tool_call_id: message.tool_call_id, status: "error" });
        }
        report(answer);
        answered.push(
          new ToolMessage({
            id: message.id as string,
            name: pending.tool,
            tool_call_id: message.tool_call_id,
            content: answer.content,
            artifact: answer.artifact,
            status: answer.status ?? "success",
          }),
        );
      }
      return { messages: answered };
    },
  });
}
