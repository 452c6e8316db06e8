import { randomUUID } from "node:crypto";
import { and, count, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "../db/database.ts";
import { agents, grants } from "../db/schema.ts";
import { withTenant } from "../db/scope.ts";
import { Identifier, TenantId } from "../ids.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { appendInTransaction } from "../ledger/store.ts";
import { ServerName } from "../policy/model.ts";
import type { LoadedPolicies } from "../policy/policies.ts";
import { type ActorChain, claimedAudience, type GrantClaims, ISSUER } from "./claims.ts";
import { GrantChecks, intersect } from "./grant-checks.ts";
import { GrantScope } from "./scope.ts";
import { signGrant } from "./sign.ts";
import type { GrantKeyRing } from "./signing-keys.ts";
import type { GrantVerifier } from "./verifier.ts";

/** A malformed grant request; the message names the field. */
export class GrantRequestError extends Error {
  override name = "GrantRequestError";
}

const Request = z.object({
  persona: Identifier,
  role: Identifier.optional().describe("defaults to the persona's own role template"),
  scope: GrantScope.optional().describe(
    "defaults to the whole role template (or, for a child, what it shares with the parent)",
  ),
  ttlMinutes: z.number().int().positive().optional(),
});
export const MintRequest = Request.extend({
  tenant: TenantId,
  audience: ServerName,
  actor: z.string().min(1),
  agentId: z
    .string()
    .min(1)
    .optional()
    .describe(
      "renew this root agent (the same identity, so the approvals it waits on still answer it) instead of registering a new one; only the operator who started it may",
    ),
});
export const ExchangeRequest = Request.extend({
  subjectToken: z.string().min(1),
  agentId: z
    .string()
    .min(1)
    .optional()
    .describe(
      "resume this child of the subject's agent (the same identity, a fresh grant) instead of spawning one",
    ),
});
/** The same agent's grant for another MCP server (RFC 8693 `audience`): no new agent, no new persona. */
export const AudienceRequest = z.object({ subjectToken: z.string().min(1), audience: ServerName });
export type MintRequest = z.input<typeof MintRequest>;
export type ExchangeRequest = z.input<typeof ExchangeRequest>;
export type AudienceRequest = z.input<typeof AudienceRequest>;

export interface IssuedGrant {
  token: string;
  claims: GrantClaims;
  agentId: string;
}

export interface IssuerDeps {
  db: Db;
  ledger: Ledger;
  policies: LoadedPolicies;
  ring: GrantKeyRing;
  /** A verifier for the parent's audience, used to check a subject token in an exchange. */
  verifierFor: (audience: ServerName) => GrantVerifier;
  clock?: () => Date;
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw new GrantRequestError(`invalid grant request:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Mints grants: root grants for a new agent (operators and the controller itself), and child grants by RFC
 * 8693 token exchange. Every grant is a policy decision: within the role template, the TTL caps, and for a
 * child within its parent and the spawn limits. Grants and denials are written to the ledger.
 */
export class GrantIssuer {
  readonly #deps: IssuerDeps;
  readonly #clock: () => Date;
  readonly #checks: GrantChecks;

  constructor(deps: IssuerDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? (() => new Date());
    this.#checks = new GrantChecks({ ...deps, clock: this.#clock });
  }

  /** Registers a root agent and mints its first grant, or mints a fresh grant for a root agent it started. */
  async mint(input: MintRequest): Promise<IssuedGrant> {
    const request = parse(MintRequest, input);
    const role = request.role ?? request.persona;
    // Only the operator who started a root agent may renew it: anyone else could approve its requests.
    if (request.agentId)
      await this.#checks.sameAgent(request.tenant, request.actor, request.agentId, {
        persona: request.persona,
        parent: null,
        startedBy: request.actor,
      });
    const template = await this.#checks.template(
      request.tenant,
      request.audience,
      request.persona,
      role,
      request.actor,
    );
    const scope = request.scope ?? template.scope;
    await this.#checks.within(
      request.tenant,
      request.actor,
      template.scope,
      scope,
      `role template ${request.audience}/${role}`,
    );
    const ttl = await this.#checks.ttl(
      request.tenant,
      request.actor,
      template.ttlMinutes,
      request.ttlMinutes,
    );
    const now = this.#clock();
    return this.#issue({
      tenant: request.tenant,
      persona: request.persona,
      role,
      audience: request.audience,
      scope,
      exp: Math.floor(now.getTime() / 1000) + ttl * 60,
      depth: 0,
      anc: [],
      actor: request.actor,
      startedBy: request.actor,
      ...(request.agentId ? { renewed: request.agentId } : {}),
    });
  }

  /** Exchanges a parent's grant for a new child agent's grant on the same server. */
  async exchange(input: ExchangeRequest): Promise<IssuedGrant> {
    const request = parse(ExchangeRequest, input);
    const parent = await this.#verifySubject(request.subjectToken);
    const role = request.role ?? request.persona;
    const actor = parent.sub;
    const template = await this.#checks.template(parent.tenant, parent.aud, request.persona, role, actor);

    const [children, liveAgents, startedBy] = await withTenant(this.#deps.db, parent.tenant, (tx) =>
      Promise.all([
        liveCount(tx, eq(agents.parentId, parent.sub)),
        liveCount(tx),
        tx
          .select({ startedBy: agents.startedBy })
          .from(agents)
          .where(eq(agents.id, parent.sub))
          .then((rows) => rows[0]?.startedBy ?? null),
      ]),
    );
    // Only its own parent may resume a child.
    if (request.agentId)
      await this.#checks.sameAgent(parent.tenant, parent.sub, request.agentId, {
        persona: request.persona,
        parent: parent.sub,
      });
    // A resumed child is already among the live ones: it is judged as if spawned again beside its siblings.
    const resumed = request.agentId ? 1 : 0;
    const spawn = this.#deps.policies.engine.decide({
      principal: { tenant: parent.tenant, persona: parent.persona, role: parent.role },
      action: "spawn_agent",
      resource: { server: "ai", kind: "team", name: parent.tenant },
      context: {
        childPersona: request.persona,
        children: children - resumed,
        depth: parent.depth,
        usage: { agents: liveAgents - resumed },
      },
    });
    if (spawn.effect !== "allow") {
      const reasons =
        spawn.effect === "deny" ? spawn.reasons : ["spawning this persona needs approval", ...spawn.reasons];
      await this.#checks.deny(parent.tenant, actor, reasons, spawn.policies);
    }

    const allowed = intersect(parent.scope, template.scope);
    const scope = request.scope ?? allowed;
    if (scope.length === 0)
      await this.#checks.deny(
        parent.tenant,
        actor,
        [`the parent's scope shares nothing with role template ${parent.aud}/${role}`],
        ["scope"],
      );
    await this.#checks.within(parent.tenant, actor, parent.scope, scope, `the parent grant ${parent.jti}`);
    await this.#checks.within(
      parent.tenant,
      actor,
      template.scope,
      scope,
      `role template ${parent.aud}/${role}`,
    );
    const ttl = await this.#checks.ttl(parent.tenant, actor, template.ttlMinutes, request.ttlMinutes);
    const now = this.#clock();
    return this.#issue({
      tenant: parent.tenant,
      persona: request.persona,
      role,
      audience: parent.aud,
      scope,
      exp: Math.min(Math.floor(now.getTime() / 1000) + ttl * 60, parent.exp),
      depth: parent.depth + 1,
      anc: [parent.jti, ...parent.anc],
      act: { sub: parent.sub, ...(parent.act ? { act: parent.act } : {}) },
      parent: { agentId: parent.sub, jti: parent.jti },
      actor,
      startedBy,
      ...(request.agentId ? { renewed: request.agentId } : {}),
    });
  }

  /**
   * The subject agent's grant for another server: the persona's role template there, within what its
   * parent holds there (a child never reaches a server its parent cannot), living no longer than the
   * subject. It descends from the subject grant, so revoking that grant, the agent or an ancestor kills it.
   */
  async forAudience(input: AudienceRequest): Promise<IssuedGrant> {
    const request = parse(AudienceRequest, input);
    const subject = await this.#verifySubject(request.subjectToken);
    const actor = subject.sub;
    const template = await this.#checks.template(
      subject.tenant,
      request.audience,
      subject.persona,
      subject.role,
      actor,
    );
    let scope = template.scope;
    const [self] = await withTenant(this.#deps.db, subject.tenant, (tx) =>
      tx.select({ parentId: agents.parentId }).from(agents).where(eq(agents.id, subject.sub)),
    );
    if (self?.parentId) {
      const held = await this.#checks.liveScope(subject.tenant, self.parentId, request.audience);
      scope = intersect(held, template.scope);
      if (scope.length === 0)
        await this.#checks.deny(
          subject.tenant,
          actor,
          [
            `the parent agent ${self.parentId} holds nothing on ${request.audience} that role template ${request.audience}/${subject.role} allows`,
          ],
          ["scope"],
        );
    }
    const ttl = await this.#checks.ttl(subject.tenant, actor, template.ttlMinutes);
    const now = this.#clock();
    return this.#issue({
      tenant: subject.tenant,
      persona: subject.persona,
      role: subject.role,
      audience: request.audience,
      scope,
      exp: Math.min(Math.floor(now.getTime() / 1000) + ttl * 60, subject.exp),
      depth: subject.depth,
      anc: [subject.jti, ...subject.anc],
      ...(subject.act ? { act: subject.act } : {}),
      sibling: { agentId: subject.sub, jti: subject.jti },
      actor,
      startedBy: null,
    });
  }

  /** The subject token's claims, verified by its own audience's verifier. */
  async #verifySubject(token: string): Promise<GrantClaims> {
    const audience = ServerName.safeParse(claimedAudience(token));
    if (!audience.success)
      throw new GrantRequestError("invalid grant request: subjectToken has no known audience");
    return this.#deps.verifierFor(audience.data).verify(token);
  }

  async #issue(g: {
    tenant: string;
    persona: string;
    role: string;
    audience: ServerName;
    scope: GrantScope;
    exp: number;
    depth: number;
    anc: string[];
    act?: ActorChain;
    parent?: { agentId: string; jti: string };
    /** Another grant for an agent that already exists, derived from its grant `jti`. */
    sibling?: { agentId: string; jti: string };
    /** A fresh grant for an agent that already exists: a root agent, or a parent's child. */
    renewed?: string;
    actor: string;
    /** The person (or service) at the root of the lineage. */
    startedBy: string | null;
  }): Promise<IssuedGrant> {
    const now = this.#clock();
    const agentId = g.sibling?.agentId ?? g.renewed ?? `agt_${randomUUID()}`;
    const claims: GrantClaims = {
      iss: ISSUER,
      sub: agentId,
      aud: g.audience,
      tenant: g.tenant,
      persona: g.persona,
      role: g.role,
      scope: g.scope,
      jti: `grt_${randomUUID()}`,
      iat: Math.floor(now.getTime() / 1000),
      exp: g.exp,
      depth: g.depth,
      anc: g.anc,
      ...(g.act ? { act: g.act } : {}),
    };
    const entry = this.#deps.ledger.prepare({
      tenant: g.tenant,
      actor: g.actor,
      action: g.renewed ? "grant.renewed" : g.parent || g.sibling ? "grant.exchanged" : "grant.minted",
      resource: `agent:${agentId}`,
      payload: {
        jti: claims.jti,
        aud: g.audience,
        persona: g.persona,
        role: g.role,
        scope: g.scope,
        exp: g.exp,
        depth: g.depth,
        ...(g.parent ? { parentJti: g.parent.jti, parentAgent: g.parent.agentId } : {}),
        ...(g.sibling ? { subjectJti: g.sibling.jti } : {}),
      },
    });
    // The agent, its grant and the ledger entry commit together, or not at all.
    await withTenant(this.#deps.db, g.tenant, async (tx) => {
      if (!g.sibling && !g.renewed)
        await tx.insert(agents).values({
          id: agentId,
          tenantId: g.tenant,
          persona: g.persona,
          parentId: g.parent?.agentId ?? null,
          depth: g.depth,
          createdByGrant: g.parent?.jti ?? null,
          startedBy: g.startedBy,
        });
      await tx.insert(grants).values({
        jti: claims.jti,
        tenantId: g.tenant,
        agentId,
        audience: g.audience,
        role: g.role,
        scope: g.scope,
        parentJti: g.parent?.jti ?? g.sibling?.jti ?? null,
        issuedAt: now,
        expiresAt: new Date(g.exp * 1000),
      });
      await appendInTransaction(tx, [entry], now);
    });
    return { token: await signGrant(claims, this.#deps.ring), claims, agentId };
  }
}

function liveCount(tx: Tx, where?: ReturnType<typeof eq>): Promise<number> {
  return tx
    .select({ n: count() })
    .from(agents)
    .where(and(isNull(agents.revokedAt), where))
    .then((rows) => rows[0]?.n ?? 0);
}
