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

/** A secret as the vault stored it: its reference and the value's keyed fingerprint, never the value. */
export const StoredSecretView = z.object({
  ref: z.string(),
  fingerprint: z.string(),
  updatedAt: z.string(),
});
export type StoredSecretView = z.infer<typeof StoredSecretView>;

/** A secret resolved for the calling grant's tenant. */
export const ResolvedSecretView = z.object({ ref: z.string(), value: z.string() });
