import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { Cassette, ModelTurn } from "../../agents/cassette.ts";
import type { Persona } from "../../agents/personas.ts";

interface ChatRequest {
  model: string;
  stream?: boolean;
  messages: { role: string; content?: unknown }[];
}

/** What the server was asked: whose turn, which one, streamed or not. */
export interface ServedTurn {
  persona: string;
  turn: number;
  model: string;
  stream: boolean;
}

const textOf = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((part) => (part as { text?: string }).text ?? "").join("")
      : "";

const nothingToDo = (agent: string): ModelTurn => ({
  kind: "model",
  agent,
  turn: 0,
  expects: { role: "human", text: "" },
  response: { content: `${agent}: nothing to add.`, toolCalls: [], usage: { input: 100, output: 5 } },
});

const toolCalls = (turn: ModelTurn) =>
  turn.response.toolCalls.map((c, index) => ({
    index,
    id: c.id,
    type: "function" as const,
    function: { name: c.name, arguments: JSON.stringify(c.args) },
  }));

const usage = (turn: ModelTurn) => ({
  prompt_tokens: turn.response.usage.input,
  completion_tokens: turn.response.usage.output,
  total_tokens: turn.response.usage.input + turn.response.usage.output,
});

/**
 * An OpenAI-compatible chat-completions server on loopback that answers with a cassette's recorded turns, as
 * a live model would (JSON or server-sent events): the persona told by its system prompt, the turn by the
 * number of assistant messages so far; a persona it holds no turns for says once that it has nothing to add.
 * A request past the recording is a 400, as a confused server's.
 */
export async function cassetteModelServer(cassette: Cassette, personas: Iterable<Persona>) {
  const served: ServedTurn[] = [];
  const known = [...personas];
  const app = new Hono().post("/v1/chat/completions", async (c) => {
    const body = (await c.req.json()) as ChatRequest;
    const system = textOf(body.messages.find((m) => m.role === "system" || m.role === "developer")?.content);
    const persona = known.find((p) => system.startsWith(p.prompt.trim().slice(0, 200)));
    const turnIndex = body.messages.filter((m) => m.role === "assistant").length;
    const recorded = persona ? cassette.for(persona.name) : [];
    // A persona the cassette never recorded answers once that it is done, as a model with nothing to do would.
    const turn =
      recorded[turnIndex] ??
      (persona && recorded.length === 0 && turnIndex === 0 ? nothingToDo(persona.name) : undefined);
    if (!persona || !turn)
      return c.json(
        {
          error: {
            message: `no recorded turn ${turnIndex} for ${persona?.name ?? JSON.stringify(body.messages).slice(0, 600)}`,
          },
        },
        400,
      );
    served.push({ persona: persona.name, turn: turnIndex, model: body.model, stream: Boolean(body.stream) });
    const finish = turn.response.toolCalls.length > 0 ? "tool_calls" : "stop";
    const base = { id: `chatcmpl-${served.length}`, created: 1, model: body.model };
    if (!body.stream)
      return c.json({
        ...base,
        object: "chat.completion",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: turn.response.content,
              ...(turn.response.toolCalls.length ? { tool_calls: toolCalls(turn) } : {}),
            },
            finish_reason: finish,
          },
        ],
        usage: usage(turn),
      });
    return streamSSE(c, async (stream) => {
      const chunk = (choices: unknown[], extra: object = {}) =>
        stream.writeSSE({
          data: JSON.stringify({ ...base, object: "chat.completion.chunk", choices, ...extra }),
        });
      await chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
      for (const piece of turn.response.content.match(/\s*\S+\s*/g) ?? [])
        await chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]);
      if (turn.response.toolCalls.length)
        await chunk([{ index: 0, delta: { tool_calls: toolCalls(turn) }, finish_reason: null }]);
      await chunk([{ index: 0, delta: {}, finish_reason: finish }]);
      await chunk([], { usage: usage(turn) });
      await stream.writeSSE({ data: "[DONE]" });
    });
  });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((r) => server.once("listening", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    served,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
