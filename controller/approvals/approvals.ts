import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Db, Tx } from "../db/database.ts";
import { approvals, approvalVotes, intents, tenants } from "../db/schema.ts";
import { asPlatform, withTenant } from "../db/scope.ts";
import { TenantId } from "../ids.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { appendInTransaction } from "../ledger/store.ts";
import type { Operator } from "../operators/operators.ts";
import { type ApprovalStatus, announceApproval } from "./approval-feed.ts";
import { type Requester, requesterOf } from "./requester.ts";

/** Why a vote or lookup was refused; `code` is stable for clients. */
export class ApprovalError extends Error {
  override name = "ApprovalError";
  constructor(
    readonly code: "not-found" | "not-eligible" | "own-lineage" | "already-voted" | "closed",
    message: string,
  ) {
    super(message);
  }
}

/** What an approver sees: the call, its plan, who asked and why it waits. */
export interface ApprovalView {
  id: string;
  tenant: string;
  status: ApprovalStatus;
  call: {
    intentId: string;
    server: string;
    tool: string;
    resource: string;
    arguments: unknown;
    plan: unknown;
  };
  requiredBy: { rules: string[]; policies: string[]; reasons: string[] };
  approverRoles: string[];
  quorum: number;
  requester: Requester;
  votes: { operator: string; vote: "approve" | "deny"; comment: string | null; at: string }[];
  createdAt: string;
  expiresAt: string;
  resolvedAt: string | null;
}

export interface ApprovalRequirement {
  rules: string[];
  approvers: string[];
  quorum: number;
}

export interface ApprovalDeps {
  db: Db;
  ledger: Ledger;
  expireAfterMinutes: number;
  clock?: () => Date;
}

/** Approval ids carry their tenant so an operator can act on one by id alone; RLS still confines the row. */
const newApprovalId = (tenant: string) => `apr_${tenant}_${randomUUID().replaceAll("-", "")}`;

export function approvalTenant(id: string): string | undefined {
  const tenant = /^apr_([a-z][a-z0-9]{1,30})_[0-9a-f]{32}$/.exec(id)?.[1];
  return tenant && TenantId.safeParse(tenant).success ? tenant : undefined;
}

/**
 * Human approval of risky calls. A needs-approval intent opens one; eligible operators vote. Quorum is
 * N distinct approvers holding an approver role, none of them the person who started the asking agent's
 * lineage; any deny rejects; a pending approval expires. Each resolution settles the intent's decision and
 * is in the ledger, in the same transaction, before the tool can run.
 */
export class Approvals {
  readonly #deps: ApprovalDeps;
  readonly #clock: () => Date;

  constructor(deps: ApprovalDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? (() => new Date());
  }

  /** Opens an approval inside the intent's transaction; the caller appends the returned ledger entry. */
  async open(
    tx: Tx,
    intent: { id: string; tenant: string; agentId: string; resource: string },
    requirement: ApprovalRequirement,
    now: Date,
  ): Promise<string> {
    const id = newApprovalId(intent.tenant);
    const requester = await requesterOf(tx, intent.agentId);
    const expiresAt = new Date(now.getTime() + this.#deps.expireAfterMinutes * 60_000);
    await tx.insert(approvals).values({
      id,
      tenantId: intent.tenant,
      intentId: intent.id,
      rules: requirement.rules,
      approverRoles: requirement.approvers,
      quorum: requirement.quorum,
      requester,
      expiresAt,
      createdAt: now,
    });
    const entry = this.#deps.ledger.prepare({
      tenant: intent.tenant,
      actor: intent.agentId,
      action: "approval.requested",
      resource: intent.resource,
      payload: { approval: id, intent: intent.id, ...requirement, expiresAt: expiresAt.toISOString() },
    });
    await appendInTransaction(tx, [entry], now);
    await announceApproval(tx, { id, tenant: intent.tenant, status: "pending" });
    return id;
  }

  /** The approval for an intent, if it has one (inside the caller's tenant transaction). */
  async forIntent(tx: Tx, intentId: string): Promise<{ id: string; status: ApprovalStatus } | undefined> {
    const [row] = await tx
      .select({ id: approvals.id, status: approvals.status })
      .from(approvals)
      .where(eq(approvals.intentId, intentId));
    return row;
  }

  async show(id: string): Promise<ApprovalView> {
    const tenant = this.#tenantOf(id);
    await this.expireDue(tenant);
    const [view] = await withTenant(this.#deps.db, tenant, (tx) => this.#views(tx, eq(approvals.id, id)));
    if (!view) throw new ApprovalError("not-found", `there is no approval ${id}`);
    return view;
  }

  /** Approvals of one tenant, or of every tenant, oldest first; pending ones past expiry are expired first. */
  async list(filter: { tenant?: string; status?: ApprovalStatus } = {}): Promise<ApprovalView[]> {
    const ids = filter.tenant ? [filter.tenant] : await this.#tenantIds();
    const out: ApprovalView[] = [];
    for (const tenant of ids) {
      await this.expireDue(tenant);
      out.push(
        ...(await withTenant(this.#deps.db, tenant, (tx) =>
          this.#views(tx, filter.status ? eq(approvals.status, filter.status) : undefined),
        )),
      );
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Casts an operator's vote; returns the approval as it stands after it. */
  async vote(
    id: string,
    operator: Operator,
    vote: "approve" | "deny",
    comment?: string,
  ): Promise<ApprovalView> {
    const tenant = this.#tenantOf(id);
    const now = this.#clock();
    const refusal = await withTenant(this.#deps.db, tenant, async (tx) => {
      const [row] = await tx.select().from(approvals).where(eq(approvals.id, id)).for("update");
      if (!row) return new ApprovalError("not-found", `there is no approval ${id}`);
      if (row.status === "pending" && row.expiresAt <= now) {
        // The expiry is stored (this transaction commits); the vote is refused after it.
        await this.#settle(tx, row, "expired", now, "controller");
        return new ApprovalError("closed", `approval ${id} expired at ${row.expiresAt.toISOString()}`);
      }
      if (row.status !== "pending")
        return new ApprovalError("closed", `approval ${id} is already ${row.status}`);
      if (!operator.roles.some((r) => row.approverRoles.includes(r)))
        return new ApprovalError(
          "not-eligible",
          `${operator.name} holds none of the approver roles ${row.approverRoles.join(", ")}`,
        );
      const requester = row.requester as Requester;
      if (vote === "approve" && requester.startedBy === `operator:${operator.name}`)
        return new ApprovalError(
          "own-lineage",
          `${operator.name} started the agent that asked, so may not approve its request`,
        );
      const inserted = await tx
        .insert(approvalVotes)
        .values({
          approvalId: id,
          tenantId: tenant,
          operatorId: operator.id,
          operatorName: operator.name,
          vote,
          comment: comment ?? null,
          votedAt: now,
        })
        .onConflictDoNothing()
        .returning({ vote: approvalVotes.vote });
      if (inserted.length === 0)
        return new ApprovalError("already-voted", `${operator.name} has already voted on ${id}`);
      const actor = `operator:${operator.name}`;
      if (vote === "deny") return void (await this.#settle(tx, row, "denied", now, actor, comment));
      const [tally] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(approvalVotes)
        .where(and(eq(approvalVotes.approvalId, id), eq(approvalVotes.vote, "approve")));
      if ((tally?.n ?? 0) >= row.quorum) return void (await this.#settle(tx, row, "approved", now, actor));
      await appendInTransaction(
        tx,
        [
          this.#deps.ledger.prepare({
            tenant,
            actor,
            action: "approval.voted",
            resource: `approval:${id}`,
            payload: { approval: id, vote, approvals: tally?.n ?? 0, quorum: row.quorum },
          }),
        ],
        now,
      );
      await announceApproval(tx, { id, tenant, status: "pending" });
      return undefined;
    });
    if (refusal) throw refusal;
    return this.show(id);
  }

  /** Expires a tenant's pending approvals past their time: each call is denied, in the ledger. */
  async expireDue(tenant: string): Promise<number> {
    const now = this.#clock();
    return withTenant(this.#deps.db, tenant, async (tx) => {
      const due = await tx
        .select()
        .from(approvals)
        .where(and(eq(approvals.status, "pending"), lte(approvals.expiresAt, now)))
        .for("update");
      for (const row of due) await this.#settle(tx, row, "expired", now, "controller");
      return due.length;
    });
  }

  /** Expires due approvals in every tenant; the running controller calls this periodically. */
  async expireAll(): Promise<number> {
    let n = 0;
    for (const tenant of await this.#tenantIds()) n += await this.expireDue(tenant);
    return n;
  }

  /** Closes an approval and settles its intent's decision, in the ledger in the same transaction. */
  async #settle(
    tx: Tx,
    row: typeof approvals.$inferSelect,
    status: Exclude<ApprovalStatus, "pending">,
    now: Date,
    actor: string,
    comment?: string,
  ): Promise<void> {
    await tx.update(approvals).set({ status, resolvedAt: now }).where(eq(approvals.id, row.id));
    const reason =
      status === "approved"
        ? `approved by quorum (${row.quorum}) in approval ${row.id}`
        : status === "denied"
          ? `denied by ${actor} in approval ${row.id}${comment ? `: ${comment}` : ""}`
          : `approval ${row.id} expired with no decision`;
    const [intent] = await tx
      .update(intents)
      .set({
        decision: status === "approved" ? "allow" : "deny",
        policies: sql`${intents.policies} || ${JSON.stringify([`approval:${row.id}`])}::jsonb`,
        reasons: sql`${intents.reasons} || ${JSON.stringify([reason])}::jsonb`,
      })
      .where(eq(intents.id, row.intentId))
      .returning({ resource: intents.resource });
    await appendInTransaction(
      tx,
      [
        this.#deps.ledger.prepare({
          tenant: row.tenantId,
          actor,
          action: `approval.${status}`,
          resource: intent?.resource ?? `approval:${row.id}`,
          payload: { approval: row.id, intent: row.intentId, reason },
        }),
      ],
      now,
    );
    await announceApproval(tx, { id: row.id, tenant: row.tenantId, status });
  }

  async #views(tx: Tx, where: ReturnType<typeof eq> | undefined): Promise<ApprovalView[]> {
    const rows = await tx
      .select({ approval: approvals, intent: intents })
      .from(approvals)
      .innerJoin(intents, eq(intents.id, approvals.intentId))
      .where(where)
      .orderBy(asc(approvals.createdAt));
    if (rows.length === 0) return [];
    const votes = await tx
      .select()
      .from(approvalVotes)
      .where(
        inArray(
          approvalVotes.approvalId,
          rows.map((r) => r.approval.id),
        ),
      )
      .orderBy(asc(approvalVotes.votedAt));
    return rows.map(({ approval: a, intent: i }) => ({
      id: a.id,
      tenant: a.tenantId,
      status: a.status,
      call: {
        intentId: i.id,
        server: i.server,
        tool: i.tool,
        resource: i.resource,
        arguments: i.arguments,
        plan: i.plan,
      },
      requiredBy: { rules: a.rules, policies: i.policies, reasons: i.reasons },
      approverRoles: a.approverRoles,
      quorum: a.quorum,
      requester: a.requester as Requester,
      votes: votes
        .filter((v) => v.approvalId === a.id)
        .map((v) => ({
          operator: v.operatorName,
          vote: v.vote,
          comment: v.comment,
          at: v.votedAt.toISOString(),
        })),
      createdAt: a.createdAt.toISOString(),
      expiresAt: a.expiresAt.toISOString(),
      resolvedAt: a.resolvedAt?.toISOString() ?? null,
    }));
  }

  #tenantOf(id: string): string {
    const tenant = approvalTenant(id);
    if (!tenant) throw new ApprovalError("not-found", `there is no approval ${id}`);
    return tenant;
  }

  async #tenantIds(): Promise<string[]> {
    const rows = await asPlatform(this.#deps.db, (tx) =>
      tx.select({ id: tenants.id }).from(tenants).orderBy(asc(tenants.id)),
    );
    return rows.map((r) => r.id);
  }
}
