import { ChatOpenAI } from "@langchain/openai";
import type { Cassette } from "./cassette.ts";
import type { AgentConfig } from "./config.ts";
import type { Persona } from "./personas.ts";
import { ReplayModel } from "./replay-model.ts";

/** No model can be made for a persona: no OpenAI-compatible endpoint configured and nothing to replay. */
export class NoModelConfigured extends Error {
  override name = "NoModelConfigured";
}

/** A chat model and the id the controller meters and allowlists it under. */
export interface ModelChoice {
  model: ChatOpenAI | ReplayModel;
  modelId: string;
}

/**
 * The model for one agent of `persona`: its recorded turns when replaying a cassette (`agent` names whose
 * turns, `dev#2` for a run's second dev), else the persona's model (or its override) at the configured
 * OpenAI-compatible endpoint: OpenAI, Azure OpenAI, Ollama, vLLM or LM Studio through `OPENAI_BASE_URL`.
 * Replayed turns are metered as `replay` (free), or as the persona's own model when `priced` (an eval reports
 * what the run would have cost, and meets the budgets and allowlist a live run would).
 */
export function modelFor(
  persona: Persona,
  config: AgentConfig,
  replay?: { cassette: Cassette; agent?: string; priced?: boolean },
): ModelChoice {
  const personaModel = config.models[persona.name] ?? persona.model;
  if (replay) {
    const agent = replay.agent ?? persona.name;
    return {
      model: new ReplayModel(agent, replay.cassette.for(agent)),
      modelId: replay.priced ? personaModel : "replay",
    };
  }
  if (!config.openai)
    throw new NoModelConfigured(
      `no model for ${persona.name}: set OPENAI_API_KEY (and OPENAI_BASE_URL for another OpenAI-compatible server), or replay a recorded session`,
    );
  return {
    model: new ChatOpenAI({
      model: personaModel,
      apiKey: config.openai.apiKey,
      ...(config.openai.baseUrl ? { configuration: { baseURL: config.openai.baseUrl } } : {}),
      // Usage comes back with every answer, streamed or not, so metering records what was spent.
      streamUsage: true,
    }),
    modelId: personaModel,
  };
}
