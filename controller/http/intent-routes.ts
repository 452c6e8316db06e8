import { Hono } from "hono";
import { z } from "zod";
import { IdempotencyConflict, IntentRequestError, type Intents } from "../intents/intents.ts";
import { LedgerInputError } from "../ledger/errors.ts";
import { type PayloadInput, sensitive } from "../ledger/sensitive.ts";
import { requireGrant } from "./grant-auth.ts";
import type { PrincipalEnv } from "./principal.ts";
import { Problem, problemType } from "./problem.ts";
import { jsonBody } from "./validate.ts";

export const IntentBody = z.object({
  tool: z.string().describe("the MCP tool about to run, e.g. repos_create_repository"),
  resource: z
    .object({ kind: z.string(), name: z.string() })
    .describe("what it changes, e.g. {kind: repository, name: acme-api}"),
  idempotencyKey: z.string().describe("the same key returns the original decision and never runs twice"),
  arguments: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('the tool\'s arguments; mark secrets as {"$sensitive": "value"} and only their HMAC is kept'),
  plan: z.unknown().optional().describe("the factory's dry-run diff, shown to approvers"),
  deadlineSeconds: z.number().int().positive().optional().describe("when a missing outcome is flagged"),
  approvalId: z.string().optional().describe("retrying a call that waited for this approval"),
});
export const OutcomeBody = z.object({
  status: z.enum(["succeeded", "failed"]),
  detail: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Over HTTP a caller marks a secret argument as `{"$sensitive": "value"}`; it becomes a Sensitive, so the
 * controller stores and logs only its keyed HMAC.
 */
function reviveSensitive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reviveSensitive);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    const [only] = entries;
    if (entries.length === 1 && only?.[0] === "$sensitive" && typeof only[1] === "string")
      return sensitive(only[1]);
    return Object.fromEntries(entries.map(([k, v]) => [k, reviveSensitive(v)]));
  }
  return value;
}

function asProblem(error: unknown): never {
  if (error instanceof IdempotencyConflict)
    throw new Problem(409, problemType("idempotency-conflict"), "idempotency key reused", error.message);
  if (error instanceof IntentRequestError || error instanceof LedgerInputError)
    throw new Problem(400, problemType("validation"), "the intent is invalid", error.message);
  throw error;
}

/**
 * Intents as MCP servers report them, authenticated by the calling agent's grant: record (and get the
 * decision) before a write, report the outcome after.
 */
export function intentRoutes(deps: { intents: Intents }): Hono<PrincipalEnv> {
  const app = new Hono<PrincipalEnv>();
  const grant = requireGrant;

  app.post("/intents", grant, async (c) => {
    const body = await jsonBody(c, IntentBody);
    const { deadlineSeconds, plan, approvalId, ...rest } = body;
    const decided = await deps.intents
      .record(c.get("grant"), {
        ...rest,
        arguments: reviveSensitive(rest.arguments) as PayloadInput,
        ...(plan === undefined ? {} : { plan }),
        ...(deadlineSeconds ? { deadlineSeconds } : {}),
        ...(approvalId ? { approvalId } : {}),
      })
      .catch(asProblem);
    return c.json(decided, decided.replayed ? 200 : 201);
  });

  app.post("/intents/:id/outcome", grant, async (c) => {
    const body = await jsonBody(c, OutcomeBody);
    await deps.intents
      .complete(c.get("grant").tenant, c.req.param("id"), {
        status: body.status,
        ...(body.detail ? { detail: body.detail as never } : {}),
      })
      .catch(asProblem);
    return c.json({ intent: c.req.param("id"), outcome: body.status });
  });

  return app;
}
