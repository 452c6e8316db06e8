import { join, resolve } from "node:path";
import { z } from "zod";
import { PERSONA_NAMES, type PersonaName } from "./personas.ts";

const repoRoot = resolve(import.meta.dirname, "..");

/** The agent runtime's configuration was invalid; the message names the variables. */
export class AgentConfigError extends Error {
  override name = "AgentConfigError";
}

const ModelId = z.string().regex(/^[a-z0-9][a-z0-9._:-]{0,99}$/, "must be a model id such as gpt-4.1-mini");

const Env = z.object({
  FACTORY_PERSONAS_DIR: z.string().min(1).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url({ error: "must be a URL such as http://localhost:11434/v1" }).optional(),
  FACTORY_MODEL: ModelId.optional(),
  ...Object.fromEntries(PERSONA_NAMES.map((p) => [`FACTORY_MODEL_${p.toUpperCase()}`, ModelId.optional()])),
  FACTORY_WORKERS: z.coerce.number().int().min(1).max(64).default(2),
});

/** The validated agent-runtime configuration; nothing else in agents/ reads the environment. */
export interface AgentConfig {
  personasDir: string;
  /** An OpenAI-compatible endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio); absent: replay only. */
  openai?: { apiKey: string; baseUrl?: string };
  /** A model per persona, overriding the persona file's (`FACTORY_MODEL_<PERSONA>`, then `FACTORY_MODEL`). */
  models: Partial<Record<PersonaName, string>>;
  /** Run workers per process. */
  workers: number;
}

export function loadAgentConfig(env: Record<string, string | undefined> = process.env): AgentConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) throw new AgentConfigError(`invalid configuration:\n${z.prettifyError(parsed.error)}`);
  const e = parsed.data as z.infer<typeof Env> & Record<string, string | undefined>;
  const models: Partial<Record<PersonaName, string>> = {};
  for (const persona of PERSONA_NAMES) {
    const model = e[`FACTORY_MODEL_${persona.toUpperCase()}`] ?? e.FACTORY_MODEL;
    if (model) models[persona] = model;
  }
  return {
    personasDir: resolve(e.FACTORY_PERSONAS_DIR ?? join(repoRoot, "personas")),
    ...(e.OPENAI_API_KEY
      ? { openai: { apiKey: e.OPENAI_API_KEY, ...(e.OPENAI_BASE_URL ? { baseUrl: e.OPENAI_BASE_URL } : {}) } }
      : {}),
    models,
    workers: e.FACTORY_WORKERS,
  };
}
