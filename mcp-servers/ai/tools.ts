import { z } from "zod";
import {
  BudgetCheckView,
  BudgetsView,
  ModelsView,
  TeamView,
  UsageView,
} from "../../controller/client/views.ts";
import { type Caller, defineTool, type ToolDefinition, type ToolHints } from "../shared/tool.ts";
import type { SpawnedAgent } from "./spawned.ts";

/**
 * What an AI tool runs with: the verified caller (the AI factory's provider is the controller itself, so
 * there is no provider credential) and where a spawned child's grant goes.
 */
export interface AiContext {
  caller: Caller;
  /** Receives each spawned child with its grant: the agent runtime runs it. */
  onSpawn: (child: SpawnedAgent) => Promise<void>;
}

/** Fixes the context, so each `run` sees an AiContext; each tool keeps its own types until listed. */
const aiTool = <I extends z.ZodObject, O extends z.ZodObject>(
  tool: ToolDefinition<AiContext, I, O>,
): ToolDefinition<AiContext, I, O> => tool;

/** Every AI tool talks only to the controller: a closed world. */
const READ: ToolHints = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
/** Adds a new agent or a new usage record each time: never idempotent, never destructive. */
const ADD: ToolHints = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
};

const PERSONAS = ["founder", "dev", "ops", "sec", "finance"] as const;

const ModelId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._:-]{0,99}$/, "must be a model id such as gpt-4.1-mini")
  .describe("the model id, e.g. gpt-4.1-mini (models_list_models lists the ones you may call)");
const Tokens = z.number().int().min(0).max(10_000_000);

/** Policy decides on the caller's own tenant's team, whatever the tool: an agent works in one tenant only. */
const team = (_input: unknown, grant: { tenant: string }) => ({ kind: "team", name: grant.tenant });

const ScopeView = z.array(
  z.object({
    tools: z.array(z.string()).describe("tool names or patterns the child may call"),
    resources: z.array(z.string()).describe("resource names or patterns it may call them on"),
  }),
);

/** A spawned child as its parent sees it: who it is and what it may do, never its grant. */
export const SpawnResult = z.object({
  agentId: z.string().describe("the child agent's id"),
  parentId: z.string().describe("your own agent id"),
  tenant: z.string(),
  persona: z.string(),
  role: z.string().describe("the role template its grant carries"),
  server: z.string().describe("the MCP server its grant is for"),
  scope: ScopeView.describe("what its grant allows: within yours and its role template"),
  depth: z.number().int().describe("its depth in the lineage: yours + 1"),
  expiresAt: z.string().describe("when its grant expires (never later than yours)"),
});

export const spawnAgent = aiTool({
  name: "agents_spawn_agent",
  title: "Spawn a persona agent",
  description:
    "Spawns a child agent of a persona (dev, ops, sec, finance) to work in your tenant. The controller exchanges your grant for the child's (RFC 8693): its scope lies within yours and its role template, it lives no longer than you, and the spawn limits (children per agent, depth, the tenant's agents quota) apply. Returns the child's id, role, scope and expiry; the agent runtime receives its grant and runs it with `reason` as its task. Each call spawns another agent.",
  toolset: "agents",
  hints: ADD,
  input: z.object({
    persona: z.enum(PERSONAS).describe("the persona of the child agent"),
    reason: z
      .string()
      .min(1)
      .max(2000)
      .describe("why you spawn it and what it should do: recorded in the ledger and given to the child"),
    agentId: z
      .string()
      .min(1)
      .optional()
      .describe(
        "resume a child you spawned before (after a restart): the same agent, so the approvals it waits on still answer it, with a fresh grant",
      ),
  }),
  output: SpawnResult,
  resource: team,
  async run(context, input) {
    const { controller, token, grant } = context.caller;
    const exchanged = await controller.exchange(token, {
      persona: input.persona,
      ...(input.agentId ? { agentId: input.agentId } : {}),
    });
    const claims = await controller.introspect(exchanged.access_token);
    const child: SpawnedAgent = {
      agentId: exchanged.agent_id,
      parentId: grant.sub,
      tenant: claims.tenant,
      persona: claims.persona,
      role: claims.role,
      server: claims.aud,
      scope: claims.scope,
      depth: claims.depth,
      expiresAt: new Date(claims.exp * 1000).toISOString(),
      reason: input.reason,
      token: exchanged.access_token,
    };
    await context.onSpawn(child);
    const { token: _token, reason: _reason, ...visible } = child;
    return visible;
  },
});

export const listAgents = aiTool({
  name: "agents_list_agents",
  title: "List the team",
  description:
    "Lists your tenant's agents with their lineage: persona, role, parent, depth, who started the tree, and whether each is live, expired or revoked. Parents come before their children.",
  toolset: "agents",
  hints: READ,
  input: z.object({
    limit: z
      .number()
      .int()
      .min(1)
      .max(500)
      .optional()
      .describe("at most this many agents, the most recent (100)"),
  }),
  output: TeamView,
  resource: team,
  async run(context, input) {
    const { controller, token } = context.caller;
    return controller.team(token, input.limit === undefined ? {} : { limit: input.limit });
  },
});

export const getBudgets = aiTool({
  name: "budgets_get_budgets",
  title: "Show model budgets",
  description:
    "Shows your tenant's and each persona's model budgets for today and this month (UTC): tokens and cost (in micro-dollars) used, the limit, what remains, and whether a budget is over. Each budget is named by its path in models.yaml.",
  toolset: "budgets",
  hints: READ,
  input: z.object({}),
  output: BudgetsView,
  resource: team,
  async run(context) {
    return context.caller.controller.budgets(context.caller.token);
  },
});

export const checkBudget = aiTool({
  name: "budgets_check_budget",
  title: "Check a model call against the budgets",
  description:
    "Asks before a model call whether it may be made: the model must be on your persona's allowlist and the estimated tokens (priced at the model's dearer rate) must fit every budget that applies to you. Answers allow or deny, with the policies and reasons.",
  toolset: "budgets",
  hints: READ,
  input: z.object({
    model: ModelId,
    estimatedTokens: Tokens.describe("the most input plus output tokens the call may use"),
  }),
  output: BudgetCheckView,
  resource: team,
  async run(context, input) {
    const { controller, token } = context.caller;
    return controller.checkBudget(token, { model: input.model, estimatedTokens: input.estimatedTokens });
  },
});

export const recordUsage = aiTool({
  name: "usage_record_usage",
  title: "Record model usage",
  description:
    "Records the tokens a model call used, for you: its cost is computed from the model's price. The tokens were spent, so they are always recorded; when the model was off your persona's allowlist or the usage took you or your tenant over a budget, the result says withinPolicy: false and names the policies, and budgets_check_budget refuses what comes next. Check before a call, record after it. Each call records another usage.",
  toolset: "usage",
  hints: ADD,
  input: z.object({
    model: ModelId,
    inputTokens: Tokens.describe("prompt tokens the call used"),
    outputTokens: Tokens.describe("completion tokens the call used"),
  }),
  output: UsageView,
  resource: team,
  async run(context, input) {
    const { controller, token } = context.caller;
    return controller.recordUsage(token, {
      model: input.model,
      inputTokens: input.inputTokens,
      outputTokens: input.outputTokens,
    });
  },
});

export const listModels = aiTool({
  name: "models_list_models",
  title: "List the models a persona may call",
  description:
    "Lists the models a persona may call (your own persona unless you name another), with their prices in US dollars per 1M input and output tokens.",
  toolset: "models",
  hints: READ,
  input: z.object({
    persona: z.enum(PERSONAS).optional().describe("whose allowlist; yours if left out"),
  }),
  output: ModelsView,
  resource: team,
  async run(context, input) {
    return context.caller.controller.models(context.caller.token, input.persona);
  },
});

/** The AI factory's tools, in the order clients list them. */
export const AI_TOOLS: readonly ToolDefinition<AiContext>[] = [
  defineTool(spawnAgent),
  defineTool(listAgents),
  defineTool(getBudgets),
  defineTool(checkBudget),
  defineTool(recordUsage),
  defineTool(listModels),
];
