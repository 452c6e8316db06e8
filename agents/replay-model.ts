import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel, type BaseChatModelCallOptions } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, type BaseMessage, ToolMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import type { Expected, ModelTurn } from "./cassette.ts";

const usageOf = (usage: ModelTurn["response"]["usage"]) => ({
  input_tokens: usage.input,
  output_tokens: usage.output,
  total_tokens: usage.input + usage.output,
});

/** The conversation asked the replayed model for something the cassette does not hold. */
export class ReplayMismatch extends Error {
  override name = "ReplayMismatch";
}

const shown = (e: Expected | undefined) =>
  !e
    ? "nothing"
    : e.role === "human"
      ? `the user saying ${JSON.stringify(e.text.slice(0, 120))}`
      : `the ${e.status === "error" ? "error" : "result"} of ${e.name}`;

/** What the model is shown last, in the cassette's terms. */
export function lastShown(messages: BaseMessage[]): Expected | undefined {
  const last = messages.at(-1);
  if (!last) return undefined;
  if (ToolMessage.isInstance(last))
    return { role: "tool", name: last.name ?? "", status: last.status === "error" ? "error" : "success" };
  if (last.type === "human") return { role: "human", text: last.text };
  return undefined;
}

const same = (a: Expected | undefined, b: Expected) =>
  a?.role === b.role &&
  (a.role === "human"
    ? a.text.trim() === (b as { text: string }).text.trim()
    : JSON.stringify(a) === JSON.stringify(b));

/**
 * Plays one agent's recorded model turns. The turn is the number of model answers already in the
 * conversation, so a run resumed from a checkpoint picks up where it stopped. Fails closed, naming the agent
 * and the step, when the conversation leaves the recording or runs past its end.
 */
export class ReplayModel extends BaseChatModel {
  constructor(
    readonly agent: string,
    readonly turns: ModelTurn[],
  ) {
    super({});
  }

  _llmType(): string {
    return "replay";
  }

  override bindTools(): ReturnType<BaseChatModel["withConfig"]> {
    return this.withConfig({} as BaseChatModelCallOptions);
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const { content, toolCalls, usage } = this.#turn(messages);
    const message = new AIMessage({
      content,
      tool_calls: toolCalls.map((c) => ({ ...c, type: "tool_call" as const })),
      usage_metadata: usageOf(usage),
    });
    return { generations: [{ text: content, message }] };
  }

  /** The recorded turn word by word, as a live model streams it; tool calls and usage in the last chunk. */
  override async *_streamResponseChunks(
    messages: BaseMessage[],
    _options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const { content, toolCalls, usage } = this.#turn(messages);
    for (const piece of content.match(/\s*\S+\s*/g) ?? []) {
      yield new ChatGenerationChunk({ text: piece, message: new AIMessageChunk({ content: piece }) });
      await runManager?.handleLLMNewToken(piece);
    }
    yield new ChatGenerationChunk({
      text: "",
      message: new AIMessageChunk({
        content: "",
        tool_call_chunks: toolCalls.map((c, index) => ({
          type: "tool_call_chunk" as const,
          name: c.name,
          args: JSON.stringify(c.args),
          id: c.id,
          index,
        })),
        usage_metadata: usageOf(usage),
      }),
    });
  }

  #turn(messages: BaseMessage[]): ModelTurn["response"] {
    const step = messages.filter((m) => m.type === "ai").length;
    const turn = this.turns[step];
    const got = lastShown(messages);
    if (!turn)
      throw new ReplayMismatch(
        `replay: ${this.agent} step ${step}: the recording has ${this.turns.length} turns for ${this.agent} and the conversation asks for another, after ${shown(got)}`,
      );
    if (!same(got, turn.expects))
      throw new ReplayMismatch(
        `replay: ${this.agent} step ${step}: the conversation left the recording: it recorded ${shown(turn.expects)}, the model was shown ${shown(got)}`,
      );
    return turn.response;
  }
}
