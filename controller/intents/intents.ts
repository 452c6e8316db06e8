import { createHash, randomUUID } from "node:crypto";
import { and, asc, eq, isNull, lt } from "drizzle-orm";
import { z } from "zod";
import type { Approvals } from "../approvals/approvals.ts";
import type { Db, Tx } from "../db/database.ts";
import { approvals, intents } from "../db/schema.ts";
import { withTenant } from "../db/scope.ts";
import type { GrantClaims } from "../grants/claims.ts";
import { decideToolCall } from "../grants/decide-call.ts";
import { Identifier, ResourceName, ToolName } from "../ids.ts";
import { canonicalJson } from "../ledger/canonical-json.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { PayloadInput } from "../ledger/sensitive.ts";
import { appendInTransaction } from "../ledger/store.ts";
import type { PolicyEngine } from "../policy/engine.ts";
import type { Effect } from "../policy/request.ts";

/** The idempotency key came back with a different request: refused, nothing recorded. */
export class IdempotencyConflict extends Error {
  override name = "IdempotencyConflict";
}

/** A malformed intent; the message names the field. */
export class IntentRequestError extends Error {
  override name = "IntentRequestError";
}

const IntentInput = z.object({
  tool: ToolName,
  resource: z.object({
    kind: Identifier,
    name: ResourceName,
  }),
  idempotencyKey: z.string().min(8, "must be at least 8 characters").max(200),
  /** What the factory's dry run says will change. */
  plan: z.unknown().optional(),
  usage: z.record(z.string(), z.number().int().min(0)).optional(),
  deadlineSeconds: z.number().int().positive().max(86_400).default(300),
  /** Retrying a call that waited for approval: answers with that approval's intent and its settled decision. */
  approvalId: z.string().min(1).optional(),
});
export type IntentInput = z.input<typeof IntentInput> & { arguments: PayloadInput };

export interface IntentDecision {
  intentId: string;
  decision: Effect;
  policies: string[];
  reasons: string[];
  /** True when this answers a replay of an intent already recorded. */
  replayed: boolean;
  /** The approval the call waits (or waited) for. */
  approvalId?: string;
}

export interface IntentDeps {
  db: Db;
  ledger: Ledger;
  engine: PolicyEngine;
  approvals: Approvals;
  clock?: () => Date;
}

/**
 * Write intents. An MCP server records one before a mutating tool runs: the controller decides it (the
 * grant's scope, then Cedar), and the intent and its decision are in the ledger before the answer leaves.
 * The same idempotency key returns the original decision and can never be executed twice.
 */
export class Intents {
  readonly #deps: IntentDeps;
  readonly #clock: () => Date;
  constructor(deps: IntentDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? (() => new Date());
  }

  async record(grant: GrantClaims, input: IntentInput): Promise<IntentDecision> {
    const parsed = IntentInput.safeParse(input);
    if (!parsed.success) throw new IntentRequestError(`invalid intent:\n${z.prettifyError(parsed.error)}`);
    const request = parsed.data;
    const { ledger, engine } = this.#deps;
    // The ledger's HMAC redaction also decides what the intent row keeps: no clear secrets anywhere.
    const args = ledger.prepare({
      tenant: grant.tenant,
      actor: grant.sub,
      action: "intent.recorded",
      resource: "-",
      payload: input.arguments,
    }).payload;
    const resource = `${grant.aud}:${request.resource.kind}:${request.resource.name}`;
    const requestHash = createHash("sha256")
      .update(canonicalJson({ grant: grant.jti, tool: request.tool, resource, args }))
      .digest("hex");

    const decision = decideToolCall(engine, grant, {
      tool: request.tool,
      resource: request.resource,
      readOnly: false,
      ...(request.usage ? { usage: request.usage } : {}),
    });

    const now = this.#clock();
    const row = {
      id: `int_${randomUUID()}`,
      tenantId: grant.tenant,
      idempotencyKey: request.idempotencyKey,
      requestHash,
      grantJti: grant.jti,
      agentId: grant.sub,
      server: grant.aud,
      tool: request.tool,
      resource,
      arguments: args,
      plan: request.plan ?? null,
      decision: decision.effect,
      policies: decision.policies,
      reasons: decision.reasons,
      deadline: new Date(now.getTime() + request.deadlineSeconds * 1000),
    };
    return withTenant(this.#deps.db, grant.tenant, async (tx) => {
      if (request.approvalId)
        return this.#retryApproved(tx, grant, request.approvalId, { tool: request.tool, resource, args });
      const inserted = await tx
        .insert(intents)
        .values(row)
        .onConflictDoNothing()
        .returning({ id: intents.id });
      if (inserted.length === 0) {
        const [existing] = await tx
          .select()
          .from(intents)
          .where(and(eq(intents.tenantId, grant.tenant), eq(intents.idempotencyKey, request.idempotencyKey)));
        if (!existing || existing.requestHash !== requestHash)
          throw new IdempotencyConflict(
            `idempotency key ${request.idempotencyKey} was used for a different request`,
          );
        return this.#answer(tx, existing, true);
      }
      const entry = ledger.prepare({
        tenant: grant.tenant,
        actor: grant.sub,
        action: "intent.recorded",
        resource,
        payload: {
          intent: row.id,
          grant: grant.jti,
          tool: request.tool,
          arguments: args,
          decision: decision.effect,
          policies: decision.policies,
          idempotencyKey: request.idempotencyKey,
        },
      });
      await appendInTransaction(tx, [entry], now);
      const approvalId =
        decision.effect === "needs-approval" && decision.approval
          ? await this.#deps.approvals.open(
              tx,
              { id: row.id, tenant: grant.tenant, agentId: grant.sub, resource },
              decision.approval,
              now,
            )
          : undefined;
      return {
        intentId: row.id,
        decision: decision.effect,
        policies: decision.policies,
        reasons: decision.reasons,
        replayed: false,
        ...(approvalId ? { approvalId } : {}),
      };
    });
  }

  /** The decision as it stands now (an approval may have settled it), with its approval id. */
  async #answer(tx: Tx, intent: typeof intents.$inferSelect, replayed: boolean): Promise<IntentDecision> {
    const approval = await this.#deps.approvals.forIntent(tx, intent.id);
    return {
      intentId: intent.id,
      decision: intent.decision,
      policies: intent.policies,
      reasons: intent.reasons,
      replayed,
      ...(approval ? { approvalId: approval.id } : {}),
    };
  }

  /** The same call, by the same agent, retried with its approval id: never a second intent. */
  async #retryApproved(
    tx: Tx,
    grant: GrantClaims,
    approvalId: string,
    call: { tool: string; resource: string; args: unknown },
  ): Promise<IntentDecision> {
    const [row] = await tx
      .select({ intent: intents })
      .from(approvals)
      .innerJoin(intents, eq(intents.id, approvals.intentId))
      .where(eq(approvals.id, approvalId));
    if (!row)
      throw new IntentRequestError(`approvalId: there is no approval ${approvalId} in ${grant.tenant}`);
    const { intent } = row;
    if (
      intent.agentId !== grant.sub ||
      intent.tool !== call.tool ||
      intent.resource !== call.resource ||
      canonicalJson(intent.arguments as never) !== canonicalJson(call.args as never)
    )
      throw new IdempotencyConflict(`approval ${approvalId} was given for a different call or agent`);
    return this.#answer(tx, intent, true);
  }

  /** Records how an allowed intent ended; completing it again with the same outcome is a no-op. */
  async complete(
    tenant: string,
    intentId: string,
    outcome: { status: "succeeded" | "failed"; detail?: PayloadInput },
  ): Promise<void> {
    const detail = this.#deps.ledger.prepare({
      tenant,
      actor: "-",
      action: "intent.completed",
      resource: "-",
      payload: outcome.detail ?? {},
    }).payload;
    const now = this.#clock();
    await withTenant(this.#deps.db, tenant, async (tx) => {
      const [intent] = await tx.select().from(intents).where(eq(intents.id, intentId));
      if (!intent) throw new IntentRequestError(`there is no intent ${intentId} in tenant ${tenant}`);
      if (intent.outcome !== null) {
        if (intent.outcome === outcome.status) return;
        throw new IntentRequestError(`intent ${intentId} already ${intent.outcome}`);
      }
      if (intent.decision !== "allow")
        throw new IntentRequestError(`intent ${intentId} was not allowed (${intent.decision})`);
      await tx
        .update(intents)
        .set({ outcome: outcome.status, outcomeDetail: detail, completedAt: now })
        .where(eq(intents.id, intentId));
      const entry = this.#deps.ledger.prepare({
        tenant,
        actor: intent.agentId,
        action: "intent.completed",
        resource: intent.resource,
        payload: { intent: intentId, outcome: outcome.status, detail },
      });
      await appendInTransaction(tx, [entry], now);
    });
  }

  /** Allowed intents past their deadline with no outcome: a tool that crashed or never reported back. */
  overdue(tenant: string) {
    const now = this.#clock();
    return withTenant(this.#deps.db, tenant, (tx) =>
      tx
        .select({
          id: intents.id,
          tool: intents.tool,
          resource: intents.resource,
          deadline: intents.deadline,
          agentId: intents.agentId,
        })
        .from(intents)
        .where(and(eq(intents.decision, "allow"), isNull(intents.outcome), lt(intents.deadline, now)))
        .orderBy(asc(intents.deadline)),
    );
  }
}
