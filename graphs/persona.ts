import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { createAgent, modelCallLimitMiddleware } from "langchain";
import { Meter } from "../agents/meter.ts";
import type { Persona } from "../agents/personas.ts";
import type { Toolbox } from "../agents/toolbox.ts";
import { governedTools, type ToolCallReport } from "./middleware/governed-tools.ts";
import { meteredModel } from "./middleware/metered-model.ts";
import { type RecordedTurn, recordTurns } from "./middleware/turn-recorder.ts";
import { TokenStream } from "./token-stream.ts";

export interface PersonaAgentOptions {
  persona: Persona;
  model: BaseChatModel;
  /** The id the controller meters the model under (`replay` for recorded or scripted turns). */
  modelId: string;
  toolbox: Toolbox;
  /** Who and where: the tenant and what the agent is for, added to the persona's prompt. */
  situation: string;
  checkpointer?: BaseCheckpointSaver;
  /** Hears each tool call the agent makes, with how it ended. */
  onToolCall?: (call: ToolCallReport) => void;
  /** Hears the model's text as it streams (the model streams only when someone listens). */
  onToken?: (text: string) => void;
  /** Hears each model turn as a cassette records it (`factory eval record`). */
  onModelTurn?: (turn: RecordedTurn) => void;
}

/**
 * A persona agent: a ReAct loop (`createAgent`) whose only tools are the MCP servers' tools its grants and
 * toolsets allow, every model call metered and bounded by the persona's per-run budget.
 */
export function personaAgent(options: PersonaAgentOptions) {
  const { persona, toolbox } = options;
  const ai = toolbox.clients.ai;
  if (!ai)
    throw new Error(`the ${persona.name} agent has no grant for the AI server, which meters its model`);
  // Each model step passes through a few nodes (the middleware's, the model's, the tools'): room for all.
  return createAgent({
    name: persona.name,
    model: options.model,
    tools: toolbox.tools,
    systemPrompt: `${persona.prompt}\n\n${options.situation}`,
    middleware: [
      governedTools(toolbox.tools, options.onToolCall),
      meteredModel(new Meter(ai, options.modelId), persona.budget.tokens),
      modelCallLimitMiddleware({ runLimit: persona.budget.steps, exitBehavior: "end" }),
      ...(options.onModelTurn ? [recordTurns(options.onModelTurn)] : []),
    ],
    ...(options.checkpointer ? { checkpointer: options.checkpointer } : {}),
  }).withConfig({
    recursionLimit: persona.budget.steps * 6 + 10,
    ...(options.onToken ? { callbacks: [new TokenStream(options.onToken)] } : {}),
  });
}
