import { AIMessage } from "@langchain/core/messages";
import { createMiddleware } from "langchain";
import type { ModelTurn } from "../../agents/cassette.ts";
import { lastShown } from "../../agents/replay-model.ts";

/** A model turn as a cassette keeps it, without whose it is (the caller knows the agent). */
export type RecordedTurn = Pick<ModelTurn, "turn" | "expects" | "response">;

/**
 * Hears every model turn as the replay model will later expect it: its index among the agent's answers,
 * what the model was shown last, and what it answered (text, tool calls, usage).
 */
export function recordTurns(onTurn: (turn: RecordedTurn) => void) {
  return createMiddleware({
    name: "TurnRecorder",
    wrapModelCall: async (request, handler) => {
      const response = await handler(request);
      const expects = lastShown(request.messages);
      if (expects && AIMessage.isInstance(response))
        onTurn({
          turn: request.messages.filter((m) => m.type === "ai").length,
          expects,
          response: {
            content: response.text,
            toolCalls: (response.tool_calls ?? []).map((c) => ({
              id: c.id ?? "",
              name: c.name,
              args: c.args,
            })),
            usage: {
              input: response.usage_metadata?.input_tokens ?? 0,
              output: response.usage_metadata?.output_tokens ?? 0,
            },
          },
        });
      return response;
    },
  });
}
