import { z } from "zod";

/**
 * What the controller tells a server about a grant it verified (RFC 7662 introspection): who holds it, for
 * which server and tenant, and what it covers. The grant's token itself is never echoed.
 */
export const GrantView = z.object({
  sub: z.string().describe("the agent id"),
  aud: z.string().describe("the MCP server the grant is for"),
  tenant: z.string(),
  persona: z.string(),
  role: z.string(),
  jti: z.string(),
  exp: z.number().int(),
  depth: z.number().int(),
  scope: z.array(z.object({ tools: z.array(z.string()), resources: z.array(z.string()) })),
});
export type GrantView = z.infer<typeof GrantView>;

export const Effect = z.enum(["allow", "deny", "needs-approval"]);

/** The policy decision on one tool call, with the policies that made it and why. */
export const DecisionView = z.object({
  effect: Effect,
  policies: z.array(z.string()),
  reasons: z.array(z.string()),
});
export type DecisionView = z.infer<typeof DecisionView>;

/** A read's decision, with the grant it was decided for. */
export const ReadDecisionView = z.object({ decision: DecisionView, grant: GrantView });
export type ReadDecisionView = z.infer<typeof ReadDecisionView>;

/** A write intent as recorded in the ledger, and its decision; `approvalId` when it waits for people. */
export const IntentDecisionView = z.object({
  intentId: z.string(),
  decision: Effect,
  policies: z.array(z.string()),
  reasons: z.array(z.string()),
  replayed: z.boolean(),
  approvalId: z.string().optional(),
});
export type IntentDecisionView = z.infer<typeof IntentDecisionView>;

/** A provider credential narrowed to one grant, and where to use it. */
export const CredentialView = z.object({
  id: z.string(),
  provider: z.string(),
  endpoint: z.string(),
  token: z.string(),
  expiresAt: z.string(),
  narrowed: z.boolean(),
  detail: z.record(z.string(), z.unknown()),
});
export type CredentialView = z.infer<typeof CredentialView>;

/** A child agent's grant from RFC 8693 token exchange. */
export const ExchangedGrantView = z.object({
  access_token: z.string(),
  expires_in: z.number(),
  agent_id: z.string(),
});
export type ExchangedGrantView = z.infer<typeof ExchangedGrantView>;

/** One agent of the tenant's team and its place in the lineage. */
export const TeamMemberView = z.object({
  id: z.string().describe("the agent id"),
  persona: z.string(),
  role: z.string().nullable().describe("the role template its grants carry"),
  server: z.string().nullable().describe("the MCP server its grants are for"),
  parentId: z.string().nullable().describe("the agent that spawned it; null for a root agent"),
  depth: z.number().int().describe("0 for a root agent, its parent's depth + 1 otherwise"),
  startedBy: z.string().nullable().describe("who started the root of its tree, e.g. operator:ada"),
  createdAt: z.string(),
  expiresAt: z.string().nullable().describe("the latest expiry among its unrevoked grants"),
  status: z.enum(["live", "expired", "revoked"]),
});
export type TeamMemberView = z.infer<typeof TeamMemberView>;

/** The caller's tenant's agents, parents before children. */
export const TeamView = z.object({
  tenant: z.string(),
  agents: z.array(TeamMemberView),
  truncated: z.boolean().describe("older agents were left out"),
});
export type TeamView = z.infer<typeof TeamView>;

/** One meter of a budget; `limit` and `remaining` are null where the period is not limited. */
export const MeterView = z.object({
  used: z.number(),
  limit: z.number().nullable(),
  remaining: z.number().nullable(),
});

/** A budget of the tenant or of one persona for one period, with its usage so far. */
export const BudgetLineView = z.object({
  policy: z.string().describe("the models.yaml path of the budget, e.g. models.budgets.tenant.day"),
  scope: z.enum(["tenant", "persona"]),
  persona: z.string().nullable(),
  period: z.enum(["day", "month"]),
  from: z.string(),
  until: z.string(),
  tokens: MeterView,
  costMicroUsd: MeterView.describe("in micro-dollars (1e-6 USD)"),
  over: z.boolean().describe("either meter is past its limit"),
});
export type BudgetLineView = z.infer<typeof BudgetLineView>;

/** Every model budget of a tenant and its personas, as of now. */
export const BudgetsView = z.object({
  tenant: z.string(),
  asOf: z.string(),
  budgets: z.array(BudgetLineView),
});
export type BudgetsView = z.infer<typeof BudgetsView>;

/** The answer to "may I make this model call?" */
export const BudgetCheckView = z.object({
  effect: z.enum(["allow", "deny"]),
  policies: z.array(z.string()).describe("the models.yaml paths that decided"),
  reasons: z.array(z.string()),
  model: z.string(),
  estimatedTokens: z.number().int(),
  estimatedCostMicroUsd: z.number().int().describe("every token at the model's dearer rate"),
});
export type BudgetCheckView = z.infer<typeof BudgetCheckView>;

/** One model call's usage as recorded. */
export const UsageView = z.object({
  id: z.string(),
  tenant: z.string(),
  agentId: z.string(),
  persona: z.string(),
  model: z.string(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  costMicroUsd: z.number().int().describe("in micro-dollars (1e-6 USD), from the model's prices"),
  recordedAt: z.string(),
  withinPolicy: z
    .boolean()
    .describe(
      "false when the model was off the allowlist or the usage took a budget over; recorded all the same",
    ),
  policies: z.array(z.string()).describe("the models.yaml paths the usage broke; empty when within policy"),
  reasons: z.array(z.string()),
});
export type UsageView = z.infer<typeof UsageView>;

/** The models a persona may call, with their prices. */
export const ModelsView = z.object({
  persona: z.string(),
  models: z.array(
    z.object({
      id: z.string(),
      inputUsdPerMillion: z.number(),
      outputUsdPerMillion: z.number(),
    }),
  ),
});
export type ModelsView = z.infer<typeof ModelsView>;
/** A secret as the vault stored it: its reference and the value's keyed fingerprint, never the value. */
export const StoredSecretView = z.object({
  ref: z.string(),
  fingerprint: z.string(),
  updatedAt: z.string(),
});
export type StoredSecretView = z.infer<typeof StoredSecretView>;

/** A secret resolved for the calling grant's tenant. */
export const ResolvedSecretView = z.object({ ref: z.string(), value: z.string() });
