import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { serve } from "@hono/node-server";
import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolsets } from "../mcp-servers/catalog.ts";
import { Cassette } from "./cassette.ts";
import { loadAgentConfig } from "./config.ts";
import { modelFor, NoModelConfigured } from "./models.ts";
import { loadPersonas } from "./personas.ts";
import { ReplayMismatch } from "./replay-model.ts";

const personas = await loadPersonas(resolve(import.meta.dirname, "../personas"), toolsets());
const founder = personas.get("founder");
if (!founder) throw new Error("no founder persona");

const cassette = Cassette.parse(
  [
    {
      kind: "model",
      agent: "founder",
      turn: 0,
      expects: { role: "human", text: "Start Acme." },
      response: {
        toolCalls: [{ id: "t1", name: "github__repos_list_repositories", args: { owner: "acme" } }],
        usage: { input: 120, output: 30 },
      },
    },
    {
      kind: "tool",
      agent: "founder",
      tool: "github__repos_list_repositories",
      arguments: { owner: "acme" },
      status: "done",
    },
    { kind: "note", text: "lines of other kinds are left alone" },
    {
      kind: "model",
      agent: "founder",
      turn: 1,
      expects: { role: "tool", name: "github__repos_list_repositories", status: "success" },
      response: { content: "Acme has no repositories yet.", usage: { input: 200, output: 12 } },
    },
  ]
    .map((l) => JSON.stringify(l))
    .join("\n"),
);

describe("models", () => {
  it("replays recorded turns with their usage, resuming by the number of turns already taken", async () => {
    const { model, modelId } = modelFor(founder, loadAgentConfig({}), { cassette });
    expect(modelId).toBe("replay");
    expect(cassette.tools.map((t) => [t.agent, t.tool, t.status])).toEqual([
      ["founder", "github__repos_list_repositories", "done"],
    ]);
    const first = await model.invoke([new HumanMessage("Start Acme.")]);
    expect(first.tool_calls).toEqual([
      { id: "t1", name: "github__repos_list_repositories", args: { owner: "acme" }, type: "tool_call" },
    ]);
    expect(first.usage_metadata).toMatchObject({ input_tokens: 120, output_tokens: 30 });
    const second = await model.invoke([
      new HumanMessage("Start Acme."),
      first,
      new ToolMessage({ content: "[]", tool_call_id: "t1", name: "github__repos_list_repositories" }),
    ]);
    expect(second.text).toBe("Acme has no repositories yet.");
  });

  it("fails closed, naming the agent and the step, when the conversation leaves the recording", async () => {
    const { model } = modelFor(founder, loadAgentConfig({}), { cassette });
    await expect(model.invoke([new HumanMessage("Start Globex.")])).rejects.toThrow(
      new ReplayMismatch(
        'replay: founder step 0: the conversation left the recording: it recorded the user saying "Start Acme.", the model was shown the user saying "Start Globex."',
      ),
    );
    const done = [
      new HumanMessage("Start Acme."),
      new AIMessage("a"),
      new HumanMessage("x"),
      new AIMessage("b"),
      new HumanMessage("more?"),
    ];
    await expect(model.invoke(done)).rejects.toThrow(
      /replay: founder step 2: the recording has 2 turns for founder/,
    );
    await expect(
      modelFor(founder, loadAgentConfig({}), { cassette, agent: "dev#2" }).model.invoke([
        new HumanMessage("hi"),
      ]),
    ).rejects.toThrow(/replay: dev#2 step 0: the recording has 0 turns/);
  });

  it("refuses to make a live model without an endpoint, and says what to set", () => {
    expect(() => modelFor(founder, loadAgentConfig({}))).toThrow(NoModelConfigured);
    expect(() => loadAgentConfig({ OPENAI_BASE_URL: "not a url" })).toThrow(/OPENAI_BASE_URL/);
  });

  describe("an OpenAI-compatible server on loopback", () => {
    let url: string;
    let server: ReturnType<typeof serve>;
    const seen: { model: string; messages: { role: string }[]; authorization: string | undefined }[] = [];
    beforeAll(async () => {
      const app = new Hono().post("/v1/chat/completions", async (c) => {
        const body = (await c.req.json()) as { model: string; messages: { role: string }[] };
        seen.push({ ...body, authorization: c.req.header("authorization") });
        return c.json({
          id: "chatcmpl-1",
          object: "chat.completion",
          created: 1,
          model: body.model,
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: "Hello from the local model." },
              finish_reason: "stop",
            },
          ],
          usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 },
        });
      });
      server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
      await new Promise<void>((r) => server.once("listening", () => r()));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("talks to it with the persona's model, or the one configured for the persona", async () => {
      const config = loadAgentConfig({
        OPENAI_API_KEY: "sk-local",
        OPENAI_BASE_URL: url,
        FACTORY_MODEL_FOUNDER: "llama3.1:8b",
      });
      const { model, modelId } = modelFor(founder, config);
      expect(modelId).toBe("llama3.1:8b");
      const answer = await model.invoke([new HumanMessage("Hi")]);
      expect(answer.text).toBe("Hello from the local model.");
      expect(answer.usage_metadata).toMatchObject({ input_tokens: 42, output_tokens: 7 });
      expect(seen).toMatchObject([
        {
          model: "llama3.1:8b",
          messages: [{ role: "user", content: "Hi" }],
          authorization: "Bearer sk-local",
        },
      ]);
      expect(modelFor(founder, loadAgentConfig({ OPENAI_API_KEY: "k", OPENAI_BASE_URL: url })).modelId).toBe(
        founder.model,
      );
    });
  });
});
