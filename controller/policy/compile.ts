import { addCedarFile } from "./cedar-files.ts";
import type { PolicyIssue } from "./load.ts";
import {
  ActionName,
  type PolicyMeta,
  type PolicySources,
  type RoleTemplate,
  type ServerName,
  type Trigger,
} from "./model.ts";

export interface CompiledPolicies {
  /** Cedar policy text by policy id. */
  policies: Record<string, string>;
  meta: Record<string, PolicyMeta>;
  /** Cedar schema the policies are validated against. */
  schema: string;
  quotaNames: string[];
}

const str = (s: string) => JSON.stringify(s);
const set = (items: readonly string[]) => `[${items.map(str).join(", ")}]`;

/** `(expr like "a" || expr like "b")`; a bare `*` matches everything. */
function likeAny(expr: string, patterns: readonly string[]): string {
  if (patterns.includes("*")) return "true";
  return `(${patterns.map((p) => (p.includes("*") ? `${expr} like ${str(p)}` : `${expr} == ${str(p)}`)).join(" || ")})`;
}

/** Which requests a set of triggers can match: conservative, so a slice never misses a policy. */
function triggerScope(triggers: readonly Trigger[]): PolicyMeta["appliesTo"] {
  const actions = new Set<ActionName>();
  const servers = new Set<ServerName>();
  let anyServer = false;
  for (const t of triggers) {
    if ("actions" in t) {
      for (const a of t.actions) actions.add(a);
      anyServer = true;
    } else {
      actions.add("call_tool");
      servers.add(t.server);
    }
  }
  return { actions: [...actions], ...(anyServer ? {} : { servers: [...servers] }) };
}

function triggerExpr(trigger: Trigger): string {
  if ("actions" in trigger)
    return `(${trigger.actions.map((a) => `action == Action::${str(a)}`).join(" || ")})`;
  return `(action == Action::"call_tool" && context.server == ${str(trigger.server)} && ${likeAny("context.tool", trigger.tools)})`;
}

/**
 * Turns the YAML policies into Cedar. Permits come only from role templates (default deny); every other
 * rule is a forbid, so forbids win. Approval rules are forbids that lift when `context.approved` is true.
 */
export function compilePolicies(sources: PolicySources): {
  compiled: CompiledPolicies;
  issues: PolicyIssue[];
} {
  const policies: Record<string, string> = {};
  const meta: Record<string, PolicyMeta> = {};
  const issues: PolicyIssue[] = [];
  const add = (m: PolicyMeta, body: string) => {
    if (policies[m.id]) issues.push({ file: m.source, path: m.id, message: "policy id is already used" });
    policies[m.id] = body;
    meta[m.id] = m;
  };

  add(
    {
      id: "base.tenant-isolation",
      effect: "forbid",
      reason: "the resource belongs to another tenant",
      source: "built-in",
    },
    `forbid (principal, action, resource) when { resource has tenant && resource.tenant != principal.tenant };`,
  );

  for (const file of sources.roles) {
    for (const [role, template] of Object.entries(file.roles))
      compileRole(file.server, role, template, file.file, add);
  }

  const { max_children_per_agent: maxChildren, max_depth: maxDepth } = sources.limits.agents;
  add(
    {
      id: "limits.max-children",
      effect: "forbid",
      reason: `an agent may have at most ${maxChildren} children`,
      source: "limits.yaml",
      appliesTo: { actions: ["spawn_agent"] },
    },
    `forbid (principal, action == Action::"spawn_agent", resource) when { context.children >= ${maxChildren} };`,
  );
  add(
    {
      id: "limits.max-depth",
      effect: "forbid",
      reason: `agent lineage may be at most ${maxDepth} deep`,
      source: "limits.yaml",
      appliesTo: { actions: ["spawn_agent"] },
    },
    `forbid (principal, action == Action::"spawn_agent", resource) when { context.depth >= ${maxDepth} };`,
  );

  const overridden = (quota: string) =>
    Object.entries(sources.quotas.tenants)
      .filter(([, o]) => quota in o)
      .map(([t, o]) => [t, o[quota] as number] as const);
  for (const [quota, triggers] of Object.entries(sources.quotas.consumers)) {
    const when = `(${triggers.map(triggerExpr).join(" || ")})`;
    const limit = sources.quotas.defaults[quota] as number;
    const tenants = overridden(quota);
    const usage = `context.usage[${str(quota)}]`;
    const notOverridden =
      tenants.length > 0 ? `!${set(tenants.map(([t]) => t))}.contains(principal.tenant) &&` : "";
    add(
      {
        id: `quota.${quota}`,
        effect: "forbid",
        reason: `tenant quota: at most ${limit} ${quota}`,
        source: "quotas.yaml",
        appliesTo: triggerScope(triggers),
      },
      `forbid (principal, action, resource) when { ${when} && ${notOverridden} ${usage} >= ${limit} };`,
    );
    for (const [tenant, tenantLimit] of tenants)
      add(
        {
          id: `quota.${quota}.${tenant}`,
          effect: "forbid",
          reason: `quota for ${tenant}: at most ${tenantLimit} ${quota}`,
          source: "quotas.yaml",
          appliesTo: triggerScope(triggers),
        },
        `forbid (principal, action, resource) when { ${when} && principal.tenant == ${str(tenant)} && ${usage} >= ${tenantLimit} };`,
      );
  }

  for (const rule of sources.approvals.rules) {
    const { approvers, quorum } = rule;
    add(
      {
        id: `approval.${rule.id}`,
        effect: "forbid",
        reason: `${rule.description} Needs approval (${quorum} of ${approvers.join(", ")}).`,
        source: "approvals.yaml",
        appliesTo: triggerScope([rule]),
        approval: { rule: rule.id, approvers, quorum },
      },
      `forbid (principal, action, resource) when { ${triggerExpr(rule)} && !context.read_only } unless { context.approved };`,
    );
  }

  for (const rule of sources.naming.rules) {
    const pattern = rule.pattern.replaceAll("{name}", "*");
    add(
      {
        id: `naming.${rule.id}`,
        effect: "forbid",
        reason: `${rule.description} Expected ${rule.pattern}.`,
        source: "naming.yaml",
        appliesTo: { servers: [rule.server], actions: ["call_tool"] },
      },
      `forbid (principal, action == Action::"call_tool", resource) when { context.server == ${str(rule.server)} && ${likeAny("context.tool", rule.tools)} } unless { ${likeAny("resource.scoped_name", [pattern])} };`,
    );
  }

  for (const { file, text } of sources.cedar) addCedarFile(file, text, add, issues);

  const quotaNames = Object.keys(sources.quotas.defaults);
  return { compiled: { policies, meta, schema: cedarSchema(quotaNames), quotaNames }, issues };
}

function compileRole(
  server: ServerName,
  role: string,
  template: RoleTemplate,
  source: string,
  add: (m: PolicyMeta, body: string) => void,
): void {
  const who = `principal.role == ${str(role)}`;
  template.scopes.forEach((scope, i) => {
    add(
      {
        id: `role.${server}.${role}.scope${i}`,
        effect: "permit",
        reason: `role template ${server}/${role} allows ${scope.tools.join(", ")} on ${scope.resources.join(", ")}`,
        source,
        appliesTo: { roles: [role], servers: [server], actions: ["call_tool"] },
      },
      `permit (principal, action == Action::"call_tool", resource) when { ${who} && context.server == ${str(server)} && ${likeAny("context.tool", scope.tools)} && ${likeAny("resource.scoped_name", scope.resources)} };`,
    );
  });
  if (template.approval) {
    const { approvers, quorum, tools } = template.approval;
    add(
      {
        id: `approval.role.${server}.${role}`,
        effect: "forbid",
        reason: `writes by role ${server}/${role}${tools ? ` to ${tools.join(", ")}` : ""} need approval (${quorum} of ${approvers.join(", ")})`,
        source,
        appliesTo: { roles: [role], servers: [server], actions: ["call_tool"] },
        approval: { rule: `role.${server}.${role}`, approvers, quorum },
      },
      `forbid (principal, action == Action::"call_tool", resource) when { ${who} && context.server == ${str(server)} && !context.read_only && ${likeAny("context.tool", tools ?? ["*"])} } unless { context.approved };`,
    );
  }
  if (template.may_request.length > 0) {
    add(
      {
        id: `request.${server}.${role}`,
        effect: "permit",
        reason: `${role} may request ${template.may_request.join(", ")}`,
        source,
        appliesTo: { roles: [role], actions: template.may_request },
      },
      `permit (principal, action in [${template.may_request.map((a) => `Action::${str(a)}`).join(", ")}], resource) when { ${who} };`,
    );
  }
  if (template.may_spawn.length > 0) {
    add(
      {
        id: `spawn.${role}`,
        effect: "permit",
        reason: `${role} may spawn ${template.may_spawn.join(", ")}`,
        source,
        appliesTo: { roles: [role], actions: ["spawn_agent"] },
      },
      `permit (principal, action == Action::"spawn_agent", resource) when { ${who} && ${set(template.may_spawn)}.contains(context.child_persona) };`,
    );
  }
}

function cedarSchema(quotaNames: readonly string[]): string {
  const usage = quotaNames.map((q) => `${str(q)}: Long`).join(", ");
  return `
entity Agent = { "tenant": String, "persona": String, "role": String };
entity Resource = { "server": String, "kind": String, "name": String, "scoped_name": String, "tenant"?: String };
type Usage = { ${usage} };
type Ctx = {
  "server": String, "tool": String, "read_only": Bool, "approved": Bool, "usage": Usage,
  "child_persona": String, "children": Long, "depth": Long
};
action ${ActionName.options.map(str).join(", ")} appliesTo { principal: Agent, resource: Resource, context: Ctx };
`;
}
