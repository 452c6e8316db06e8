import { Hono } from "hono";
import { z } from "zod";
import type { Db } from "../db/database.ts";
import type { GrantClaims } from "../grants/claims.ts";
import { Identifier } from "../ids.ts";
import { ModelId } from "../policy/model.ts";
import type { ModelBudgets, Spender } from "../usage/budgets.ts";
import { team } from "../usage/team.ts";
import { requireGrant } from "./grant-auth.ts";
import type { PrincipalEnv } from "./principal.ts";
import { jsonBody, queryParams } from "./validate.ts";

/** More tokens than any one model call uses; keeps a typo from booking a year's budget. */
const MAX_TOKENS_PER_CALL = 10_000_000;
const Tokens = z.number().int().min(0).max(MAX_TOKENS_PER_CALL);

export const TeamQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(100)
    .describe("at most this many agents, the most recent"),
});
export const ModelsQuery = z.object({
  persona: Identifier.optional().describe("whose allowlist; the calling agent's persona by default"),
});
export const BudgetCheckBody = z.object({
  model: ModelId.describe("the model about to be called, e.g. gpt-4.1-mini"),
  estimatedTokens: Tokens.describe("input and output tokens the call may use, at most"),
});
export const UsageBody = z.object({
  model: ModelId.describe("the model that was called, e.g. gpt-4.1-mini"),
  inputTokens: Tokens.describe("prompt tokens the call used"),
  outputTokens: Tokens.describe("completion tokens the call used"),
});

const spenderOf = (grant: GrantClaims): Spender => ({
  tenant: grant.tenant,
  agentId: grant.sub,
  persona: grant.persona,
});

/**
 * The AI factory's controller side, for any agent holding a live grant, always within the grant's own
 * tenant: the team and its lineage, the model allowlist, budgets and usage, the check an agent makes before
 * a model call and the usage it records after.
 */
export function aiRoutes(deps: { db: Db; budgets: ModelBudgets; clock: () => Date }): Hono<PrincipalEnv> {
  const { db, budgets } = deps;
  const app = new Hono<PrincipalEnv>();
  const grant = requireGrant;

  app.get("/team", grant, async (c) => {
    const { limit } = queryParams(c, TeamQuery);
    return c.json(await team(db, c.get("grant").tenant, { limit, now: deps.clock() }));
  });

  app.get("/models", grant, (c) => {
    const persona = queryParams(c, ModelsQuery).persona ?? c.get("grant").persona;
    return c.json({ persona, models: budgets.models(persona) });
  });

  app.get("/budgets", grant, async (c) => c.json(await budgets.report(c.get("grant").tenant)));

  app.post("/budgets/check", grant, async (c) => {
    const body = await jsonBody(c, BudgetCheckBody);
    return c.json(await budgets.check(spenderOf(c.get("grant")), body.model, body.estimatedTokens));
  });

  app.post("/usage", grant, async (c) => {
    const body = await jsonBody(c, UsageBody);
    return c.json(await budgets.record(spenderOf(c.get("grant")), body), 201);
  });
  return app;
}
