import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db, Tx } from "../db/database.ts";
import { queryRows } from "../db/database.ts";
import { agents, grantRevocations, grants, tenantRevocations, tenants } from "../db/schema.ts";
import { asPlatform, withTenant } from "../db/scope.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { appendInTransaction } from "../ledger/store.ts";
import { announceRevocations, announceTenantKill } from "./revocation-feed.ts";
import type { RevocationList } from "./revocations.ts";

export interface RevokerDeps {
  db: Db;
  ledger: Ledger;
  revocations: RevocationList;
  clock?: () => Date;
}

/**
 * Revokes a grant, an agent with its whole subtree, or a tenant with every agent and grant in it. The
 * revocation rows, the marks on agents and grants, and the ledger entry commit together; this process's
 * revocation list learns of them at once.
 */
export class GrantRevoker {
  readonly #deps: RevokerDeps;
  constructor(deps: RevokerDeps) {
    this.#deps = deps;
  }

  /** Revokes one grant; its descendants fall with it (verifiers check every ancestor). */
  revokeGrant(tenant: string, jti: string, actor: string): Promise<string[]> {
    return this.#revoke(tenant, actor, "grant.revoked", `grant:${jti}`, (tx, now) =>
      markGrants(tx, now, eq(grants.jti, jti)),
    );
  }

  /** Revokes an agent, every agent below it, and every grant any of them holds. */
  revokeAgent(tenant: string, agentId: string, actor: string): Promise<string[]> {
    return this.#revoke(tenant, actor, "agent.revoked", `agent:${agentId}`, async (tx, now) => {
      const tree = await queryRows<{ id: string }>(
        tx,
        sql`with recursive tree as (
              select id from agents where id = ${agentId}
              union all select a.id from agents a join tree t on a.parent_id = t.id)
            select id from tree`,
      );
      const ids = tree.map((r) => r.id);
      if (ids.length === 0) return [];
      await tx
        .update(agents)
        .set({ revokedAt: now })
        .where(and(inArray(agents.id, ids), isNull(agents.revokedAt)));
      return markGrants(tx, now, inArray(grants.agentId, ids));
    });
  }

  /**
   * The kill switch for a tenant. One small transaction records and announces the kill (every grant issued
   * until now is dead, wherever it is verified) and suspends the tenant; the agents and grants are then
   * marked for the lineage views.
   */
  async revokeTenant(tenant: string, actor: string): Promise<void> {
    const now = (this.#deps.clock ?? (() => new Date()))();
    const at = Math.floor(now.getTime() / 1000);
    await withTenant(this.#deps.db, tenant, async (tx) => {
      await tx
        .insert(tenantRevocations)
        .values({ tenantId: tenant, revokedAt: now })
        .onConflictDoUpdate({ target: tenantRevocations.tenantId, set: { revokedAt: now } });
      await tx.update(tenants).set({ status: "suspended" }).where(eq(tenants.id, tenant));
      await announceTenantKill(tx, tenant, at);
      const entry = {
        tenant,
        actor,
        action: "tenant.killed",
        resource: `tenant:${tenant}`,
        payload: { grantsIssuedUntil: at },
      };
      await appendInTransaction(tx, [this.#deps.ledger.prepare(entry)], now);
    });
    this.#deps.revocations.addTenant(tenant, at);
    await withTenant(this.#deps.db, tenant, async (tx) => {
      await tx.update(agents).set({ revokedAt: now }).where(isNull(agents.revokedAt));
      await tx.update(grants).set({ revokedAt: now }).where(isNull(grants.revokedAt));
    });
  }

  /** The kill switch for everything: every tenant, one after another; returns the tenants killed. */
  async revokeEverything(actor: string): Promise<string[]> {
    const ids = await asPlatform(this.#deps.db, (tx) =>
      tx.select({ id: tenants.id }).from(tenants).orderBy(asc(tenants.id)),
    );
    for (const { id } of ids) await this.revokeTenant(id, actor);
    return ids.map((t) => t.id);
  }

  async #revoke(
    tenant: string,
    actor: string,
    action: string,
    resource: string,
    mark: (tx: Tx, now: Date) => Promise<{ jti: string; expiresAt: Date }[]>,
  ): Promise<string[]> {
    const now = (this.#deps.clock ?? (() => new Date()))();
    const jtis = await withTenant(this.#deps.db, tenant, async (tx) => {
      const marked = await mark(tx, now);
      if (marked.length > 0)
        await tx
          .insert(grantRevocations)
          .values(
            marked.map((g) => ({ jti: g.jti, tenantId: tenant, expiresAt: g.expiresAt, revokedAt: now })),
          )
          .onConflictDoNothing();
      const jtis = marked.map((g) => g.jti);
      await announceRevocations(tx, jtis);
      await appendInTransaction(
        tx,
        [this.#deps.ledger.prepare({ tenant, actor, action, resource, payload: { grants: jtis } })],
        now,
      );
      return jtis;
    });
    this.#deps.revocations.add(jtis);
    return jtis;
  }
}

/** Marks matching live grants revoked and returns them. */
function markGrants(
  tx: Tx,
  now: Date,
  where?: ReturnType<typeof eq>,
): Promise<{ jti: string; expiresAt: Date }[]> {
  return tx
    .update(grants)
    .set({ revokedAt: now })
    .where(and(isNull(grants.revokedAt), where))
    .returning({ jti: grants.jti, expiresAt: grants.expiresAt });
}
