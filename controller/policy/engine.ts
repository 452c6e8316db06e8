import { createHash } from "node:crypto";
import {
  type AuthorizationAnswer,
  preparsePolicySet,
  statefulIsAuthorized,
} from "@cedar-policy/cedar-wasm/nodejs";
import { z } from "zod";
import type { CompiledPolicies } from "./compile.ts";
import type { PolicyMeta } from "./model.ts";
import {
  type Decision,
  DecisionRequest,
  isReadOnlyTool,
  type ParsedDecisionRequest,
  scopedName,
} from "./request.ts";

const MAX_MEMO = 50_000;

/** The request was malformed; the message names the field. */
export class DecisionRequestError extends Error {
  override name = "DecisionRequestError";
}

/** Cedar itself failed (not a policy decision); callers must treat it as deny. */
export class PolicyEngineError extends Error {
  override name = "PolicyEngineError";
}

/**
 * Decides with Cedar over compiled policies. The policy set is parsed once (`preparsePolicySet`) and every
 * decision reuses it. Default deny; any satisfied forbid wins; a forbid that fails to evaluate denies.
 */
export class PolicyEngine {
  readonly #setId: string;
  readonly #policies: Record<string, string>;
  readonly #meta: Record<string, PolicyMeta>;
  readonly #quotaNames: readonly string[];
  /** Preparsed slices by `role|server|action`: only the policies such a request could match. */
  readonly #slices = new Map<string, string>();
  /**
   * Decisions already made, by request. The policies are fixed for the engine's life, so the same request
   * always gets the same answer; requests carrying quota usage vary too much to be worth keeping.
   */
  readonly #memo = new Map<string, Decision>();

  constructor(compiled: CompiledPolicies) {
    this.#setId = `sf-${createHash("sha256").update(JSON.stringify(compiled.policies)).digest("hex").slice(0, 24)}`;
    this.#policies = compiled.policies;
    this.#meta = compiled.meta;
    this.#quotaNames = compiled.quotaNames;
    this.#preparse(this.#setId, compiled.policies);
  }

  #preparse(id: string, policies: Record<string, string>): void {
    const parsed = preparsePolicySet(id, { staticPolicies: policies });
    if (parsed.type === "failure")
      throw new PolicyEngineError(parsed.errors.map((e) => e.message).join("; "));
  }

  /** Evaluating a slice instead of every policy keeps a decision's cost flat as templates and tenants grow. */
  #slice(request: ParsedDecisionRequest): string {
    const { role } = request.principal;
    const { server } = request.resource;
    const key = `${role}|${server}|${request.action}`;
    let id = this.#slices.get(key);
    if (!id) {
      const applies = (m: PolicyMeta | undefined) =>
        !m?.appliesTo ||
        ((!m.appliesTo.roles || m.appliesTo.roles.includes(role)) &&
          (!m.appliesTo.servers || m.appliesTo.servers.includes(server)) &&
          (!m.appliesTo.actions || m.appliesTo.actions.includes(request.action)));
      id = `${this.#setId}|${key}`;
      this.#preparse(
        id,
        Object.fromEntries(Object.entries(this.#policies).filter(([pid]) => applies(this.#meta[pid]))),
      );
      this.#slices.set(key, id);
    }
    return id;
  }

  policy(id: string): PolicyMeta | undefined {
    return this.#meta[id];
  }

  /** The decision for `input`; treat the result as read-only, it may be shared with later callers. */
  decide(input: DecisionRequest): Decision {
    const usage = input.context?.usage;
    const key = usage && Object.keys(usage).length > 0 ? undefined : JSON.stringify(input);
    const known = key === undefined ? undefined : this.#memo.get(key);
    if (known) return known;
    const decision = this.#decide(input);
    if (key !== undefined) {
      if (this.#memo.size >= MAX_MEMO) this.#memo.clear();
      this.#memo.set(key, decision);
    }
    return decision;
  }

  #decide(input: DecisionRequest): Decision {
    const parsed = DecisionRequest.safeParse(input);
    if (!parsed.success)
      throw new DecisionRequestError(`invalid decision request:\n${z.prettifyError(parsed.error)}`);
    const request = parsed.data;
    if (request.action === "call_tool" && !request.context.tool)
      throw new DecisionRequestError(
        "invalid decision request:\n✖ a call_tool decision needs the tool\n  → at context.tool",
      );

    const first = this.#evaluate(request, request.context.approved);
    if (first.decision === "allow") return this.#decision("allow", first.determining);
    if (first.failClosed) return this.#decision("deny", first.determining);
    if (first.determining.length === 0) return defaultDeny(request);

    const approvalOnly = first.determining.every((id) => this.#meta[id]?.approval);
    if (!approvalOnly || request.context.approved)
      return this.#decision(
        "deny",
        first.determining.filter((id) => !this.#meta[id]?.approval),
      );
    // Only approval rules stood in the way: would the call be allowed once approved?
    const approved = this.#evaluate(request, true);
    if (approved.decision === "deny")
      return approved.determining.length === 0
        ? defaultDeny(request)
        : this.#decision("deny", approved.determining);
    const rules = first.determining.map((id) => this.#meta[id]?.approval).filter((a) => a !== undefined);
    return {
      ...this.#decision("needs-approval", first.determining),
      approval: {
        rules: rules.map((r) => r.rule),
        approvers: [...new Set(rules.flatMap((r) => r.approvers))],
        quorum: Math.max(...rules.map((r) => r.quorum)),
      },
    };
  }

  #evaluate(
    request: ParsedDecisionRequest,
    approved: boolean,
  ): { decision: "allow" | "deny"; determining: string[]; failClosed: boolean } {
    const { principal, resource, context } = request;
    const usage: Record<string, number> = {};
    for (const q of this.#quotaNames) usage[q] = context.usage[q] ?? 0;
    const answer: AuthorizationAnswer = statefulIsAuthorized({
      principal: { type: "Agent", id: `${principal.tenant}/${principal.persona}` },
      action: { type: "Action", id: request.action },
      resource: { type: "Resource", id: `${resource.server}:${resource.kind}:${resource.name}` },
      context: {
        server: resource.server,
        tool: context.tool ?? "",
        read_only: context.readOnly ?? (context.tool ? isReadOnlyTool(context.tool) : false),
        approved,
        usage,
        child_persona: context.childPersona ?? "",
        children: context.children,
        depth: context.depth,
      },
      preparsedPolicySetId: this.#slice(request),
      entities: [
        {
          uid: { type: "Agent", id: `${principal.tenant}/${principal.persona}` },
          attrs: { ...principal },
          parents: [],
        },
        {
          uid: { type: "Resource", id: `${resource.server}:${resource.kind}:${resource.name}` },
          attrs: { ...resource, scoped_name: scopedName(resource.name, principal.tenant) },
          parents: [],
        },
      ],
    });
    if (answer.type === "failure")
      throw new PolicyEngineError(answer.errors.map((e) => e.message).join("; "));
    const { decision, diagnostics } = answer.response;
    // Cedar skips a policy that errors; for a forbid that would fail open, so it denies instead.
    const brokenForbids = diagnostics.errors
      .filter((e) => this.#meta[e.policyId]?.effect !== "permit")
      .map((e) => e.policyId);
    if (brokenForbids.length > 0) return { decision: "deny", determining: brokenForbids, failClosed: true };
    return { decision, determining: diagnostics.reason, failClosed: false };
  }

  #decision(effect: Decision["effect"], ids: string[]): Decision {
    return { effect, policies: ids, reasons: ids.map((id) => this.#meta[id]?.reason ?? `policy ${id}`) };
  }
}

function defaultDeny(request: ParsedDecisionRequest): Decision {
  const { principal, action, resource, context } = request;
  const what =
    action === "call_tool"
      ? `call ${context.tool}`
      : action === "spawn_agent"
        ? `spawn ${context.childPersona ?? "an agent"}`
        : action;
  return {
    effect: "deny",
    policies: ["default-deny"],
    reasons: [
      `no policy lets role ${principal.role} (persona ${principal.persona}) ${what} on ${resource.server} ${resource.kind} ${resource.name}`,
    ],
  };
}
