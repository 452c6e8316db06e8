import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/database.ts";
import { agents, grants, tenants } from "../db/schema.ts";
import { asPlatform, withTenant } from "../db/scope.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { PERSONAS, type ServerName } from "../policy/model.ts";
import type { LoadedPolicies } from "../policy/policies.ts";
import { bindTenant, GrantScope, scopeCovers, uncovered } from "./scope.ts";

/** A grant request the policy refused; the reason is in the ledger too. */
export class GrantDenied extends Error {
  override name = "GrantDenied";
  readonly code = "grant_denied";
  constructor(
    readonly reasons: string[],
    readonly policies: string[],
  ) {
    super(`grant denied: ${reasons.join("; ")}`);
  }
}

/** Pairs of `a` inside `b`, and pairs of `b` inside `a`: a scope within both. */
export function intersect(a: GrantScope, b: GrantScope): GrantScope {
  const pairs = (s: GrantScope) =>
    s.flatMap((e) => e.tools.flatMap((t) => e.resources.map((r) => ({ tools: [t], resources: [r] }))));
  const both = [
    ...pairs(a).filter((p) => scopeCovers(b, [p])),
    ...pairs(b).filter((p) => scopeCovers(a, [p])),
  ];
  // A pair both sides hold literally would otherwise appear twice.
  const seen = new Set<string>();
  return both.filter((p) => {
    const key = `${p.tools[0]}\u0000${p.resources[0]}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The policy checks every grant passes, whoever asks for it: the tenant active, the role template, scope
 * within its bounds, the TTL caps. A failed check is a ledgered denial.
 */
export class GrantChecks {
  constructor(
    private readonly deps: { db: Db; ledger: Ledger; policies: LoadedPolicies; clock: () => Date },
  ) {}

  /** The role template `audience/role`, bound to `tenant`, for an active tenant and a persona allowed it. */
  async template(tenant: string, audience: ServerName, persona: string, role: string, actor: string) {
    const [row] = await asPlatform(this.deps.db, (tx) =>
      tx.select({ status: tenants.status }).from(tenants).where(eq(tenants.id, tenant)),
    );
    if (row?.status !== "active")
      await this.deny(
        tenant,
        actor,
        [row ? `tenant ${tenant} is suspended` : `there is no tenant ${tenant}`],
        ["tenant"],
      );
    if ((PERSONAS as readonly string[]).includes(persona) && role !== persona)
      await this.deny(
        tenant,
        actor,
        [`persona ${persona} may only hold its own role template, not ${role}`],
        ["role-template"],
      );
    const file = this.deps.policies.sources.roles.find((r) => r.server === audience);
    const template = file?.roles[role];
    if (!template)
      return this.deny(tenant, actor, [`there is no role template ${audience}/${role}`], ["role-template"]);
    return { scope: bindTenant(template.scopes, tenant), ttlMinutes: template.ttl_minutes };
  }

  /** Refuses `inner` unless `outer` covers all of it. */
  async within(tenant: string, actor: string, outer: GrantScope, inner: GrantScope, what: string) {
    if (scopeCovers(outer, inner)) return;
    await this.deny(
      tenant,
      actor,
      [`${what} does not allow ${uncovered(outer, inner).join(", ")}`],
      ["scope"],
    );
  }

  /** The lifetime in minutes: what was asked, within the template's and the platform's caps. */
  async ttl(tenant: string, actor: string, templateMinutes: number, requested?: number): Promise<number> {
    const cap = Math.min(templateMinutes, this.deps.policies.sources.limits.grants.max_ttl_minutes);
    if (requested !== undefined && requested > cap)
      await this.deny(tenant, actor, [`a grant may live at most ${cap} minutes, not ${requested}`], ["ttl"]);
    return requested ?? cap;
  }

  /** Everything `agentId`'s live grants on `audience` allow. */
  async liveScope(tenant: string, agentId: string, audience: ServerName): Promise<GrantScope> {
    const now = this.deps.clock();
    const rows = await withTenant(this.deps.db, tenant, (tx) =>
      tx
        .select({ scope: grants.scope, expiresAt: grants.expiresAt })
        .from(grants)
        .where(and(eq(grants.agentId, agentId), eq(grants.audience, audience), isNull(grants.revokedAt))),
    );
    return rows.filter((r) => r.expiresAt > now).flatMap((r) => GrantScope.parse(r.scope));
  }

  /**
   * Refuses a new grant for an existing agent unless it lives in `tenant` as `expected.persona`, under
   * `expected.parent` (null: a root agent), started by `expected.startedBy` when given. A killed agent stays
   * killed.
   */
  async sameAgent(
    tenant: string,
    actor: string,
    agentId: string,
    expected: { persona: string; parent: string | null; startedBy?: string },
  ): Promise<void> {
    const [agent] = await withTenant(this.deps.db, tenant, (tx) =>
      tx.select().from(agents).where(eq(agents.id, agentId)),
    );
    const refusal = !agent
      ? `there is no agent ${agentId} in tenant ${tenant}`
      : agent.parentId !== expected.parent
        ? expected.parent === null
          ? `agent ${agentId} was spawned by ${agent.parentId}; only root agents are renewed`
          : `agent ${agentId} is not a child of ${expected.parent}`
        : agent.revokedAt
          ? `agent ${agentId} was revoked`
          : agent.persona !== expected.persona
            ? `agent ${agentId} is a ${agent.persona}, not a ${expected.persona}`
            : expected.startedBy !== undefined && agent.startedBy !== expected.startedBy
              ? `agent ${agentId} was started by ${agent.startedBy}; only they may renew it`
              : undefined;
    if (refusal) await this.deny(tenant, actor, [refusal], ["renewal"]);
  }

  /** Records the denial in the ledger and throws it. */
  async deny(tenant: string, actor: string, reasons: string[], policies: string[]): Promise<never> {
    await this.deps.ledger.append({
      tenant,
      actor,
      action: "grant.denied",
      resource: `tenant:${tenant}`,
      payload: { reasons, policies },
    });
    throw new GrantDenied(reasons, policies);
  }
}
