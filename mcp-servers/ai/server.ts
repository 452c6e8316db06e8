import type { ServerDefinition } from "../shared/tool.ts";
import { type SpawnedAgent, SpawnRegistry } from "./spawned.ts";
import { AI_TOOLS, type AiContext } from "./tools.ts";

export type { SpawnedAgent } from "./spawned.ts";
export { SpawnRegistry, SpawnRegistryFull } from "./spawned.ts";
export type { AiContext } from "./tools.ts";

export interface AiServerOptions {
  /** Receives each spawned child with its grant (the agent runtime runs it); it never reaches a model. */
  onSpawn?: (child: SpawnedAgent) => Promise<void>;
}

/**
 * The AI governance factory's MCP server: spawn persona agents through the controller's token exchange,
 * see the team and its lineage, the models each persona may call, model budgets, and record usage. Its
 * provider is the controller itself, so it holds no credential. Without `onSpawn`, spawned children wait in
 * `spawned` (bounded) for the runtime to claim them.
 */
export function aiServer(
  options: AiServerOptions = {},
): ServerDefinition<AiContext> & { spawned: SpawnRegistry } {
  const spawned = new SpawnRegistry();
  const onSpawn = options.onSpawn ?? ((child: SpawnedAgent) => spawned.hold(child));
  return {
    name: "ai",
    title: "AI governance factory",
    instructions: [
      "The AI governance factory: your team of persona agents and their model spending, all within your tenant.",
      "Spawn a persona agent with agents_spawn_agent (a founder's job) and see the team and its lineage with agents_list_agents.",
      "Before a model call, ask budgets_check_budget; after it, record the tokens with usage_record_usage. budgets_get_budgets shows every budget and what remains; models_list_models shows which models a persona may call.",
      "Every tool takes your tenant's id; money is in micro-dollars (1e-6 USD).",
    ].join("\n"),
    toolsets: {
      agents: "Spawn persona agents and list the team with its lineage",
      budgets: "Model budgets per tenant and persona, and the check before a model call",
      usage: "Record the tokens and cost of model calls",
      models: "The models each persona may call, with their prices",
    },
    tools: AI_TOOLS,
    spawned,
    async connect(caller) {
      return { caller, onSpawn };
    },
  };
}
