import { globMatches } from "../client/glob.ts";
import type { GrantScope } from "../grants/scope.ts";
import { isReadOnlyTool } from "../policy/request.ts";

/**
 * The Azure DevOps PAT scopes each tool area needs: `read` for its read tools, `write` for the others.
 * Every grant also gets `vso.project`, since most operations first look up the project they work in.
 */
const AREAS: Record<string, { read: string[]; write: string[] }> = {
  projects: { read: ["vso.project"], write: ["vso.project_manage"] },
  // Pull requests are repos_ tools: reading them needs vso.code, opening, voting and completing vso.code_write.
  repos: { read: ["vso.code"], write: ["vso.code_write"] },
  pipelines: { read: ["vso.build"], write: ["vso.build_execute"] },
  boards: { read: ["vso.work"], write: ["vso.work_write"] },
  service_connections: { read: ["vso.serviceendpoint"], write: ["vso.serviceendpoint_manage"] },
  security: {
    read: ["vso.graph", "vso.security_manage"],
    write: ["vso.graph_manage", "vso.security_manage"],
  },
  // The PAT lifecycle API refuses every PAT whatever its scopes; this is the scope it is named for.
  tokens: { read: ["vso.tokens"], write: ["vso.tokens"] },
};

/** What a blueprint's plan reads: every area it covers. */
const BLUEPRINT_READ = [
  "vso.project",
  "vso.code",
  "vso.build",
  "vso.environment_manage",
  "vso.agentpools",
  "vso.variablegroups_read",
  "vso.graph",
  "vso.security_manage",
  "vso.serviceendpoint",
  "vso.work",
];

/**
 * What applying a blueprint may write: a whole project, from the project itself to its service connections
 * (the call as a whole waits for a platform admin's approval).
 */
const BLUEPRINT_WRITE = [
  "vso.project_manage",
  "vso.code_manage",
  "vso.build_execute",
  "vso.environment_manage",
  "vso.agentpools_manage",
  "vso.variablegroups_manage",
  "vso.serviceendpoint_manage",
  "vso.graph_manage",
  "vso.security_manage",
  "vso.work_write",
];

/**
 * Tools whose scopes are not their area's, by tool name (environments, queues and variable groups sit under
 * `pipelines_`, branch policies under `repos_`; a query reads although its verb is not a read verb).
 */
const TOOLS: Record<string, string[]> = {
  repos_create_repository: ["vso.code_manage"],
  repos_set_branch_policies: ["vso.code_manage"],
  boards_query_work_items: ["vso.work"],
  plan_blueprint: BLUEPRINT_READ,
  apply_blueprint: BLUEPRINT_WRITE,
  pipelines_create_environment: ["vso.environment_manage"],
  pipelines_get_environment: ["vso.environment_manage"],
  pipelines_set_environment_approval: ["vso.environment_manage", "vso.build_execute"],
  pipelines_list_environment_checks: ["vso.environment_manage", "vso.build"],
  pipelines_get_agent_queue: ["vso.agentpools"],
  pipelines_get_variable_group: ["vso.variablegroups_read"],
  pipelines_create_pipeline: ["vso.build_execute", "vso.code"],
  pipelines_create_agent_pool: ["vso.agentpools_manage"],
  pipelines_create_agent_queue: ["vso.agentpools_manage"],
  pipelines_set_variable_group: ["vso.variablegroups_manage"],
};

const BASELINE = "vso.project";

/** `vso.x_manage` ⊇ `vso.x_write`/`_execute` ⊇ `vso.x`/`vso.x_read`, as Azure DevOps ranks them. */
const LEVEL = /_(read|write|execute|manage)$/;
const baseOf = (scope: string) => scope.replace(LEVEL, "");
const rank = (scope: string) => {
  const level = LEVEL.exec(scope)?.[1];
  return level === "manage" ? 3 : level === "write" || level === "execute" ? 2 : 1;
};

/** Which areas a tool pattern reaches: its first words name the area (`service_connections_*` has two). */
function areasOf(pattern: string): string[] {
  return Object.keys(AREAS).filter(
    (area) => globMatches(pattern, `${area}_x_y`) || pattern.startsWith(`${area}_`),
  );
}

/**
 * One tool pattern's scopes: read or write from its verb (a wildcard verb counts as write); a tool with its
 * own entry needs just that, a wildcard gets its area's and those of every such tool it matches.
 */
function needs(pattern: string): string[] {
  const own = TOOLS[pattern];
  if (own) return own;
  const out: string[] = [];
  for (const area of areasOf(pattern)) {
    const rest = pattern.slice(area.length + 1);
    const write = rest === "" || rest.startsWith("*") || !isReadOnlyTool(pattern);
    out.push(...(AREAS[area]?.[write ? "write" : "read"] ?? []));
  }
  for (const [tool, scopes] of Object.entries(TOOLS)) if (globMatches(pattern, tool)) out.push(...scopes);
  return out;
}

/**
 * The narrowest PAT scopes that still let a grant's tools work, sorted; a scope another one in the set
 * already includes (`vso.code` beside `vso.code_write`) is left out.
 */
export function azureDevOpsScopes(scope: GrantScope): string[] {
  const all = new Set([BASELINE, ...scope.flatMap((e) => e.tools.flatMap(needs))]);
  const kept = [...all].filter(
    (s) => ![...all].some((other) => other !== s && baseOf(other) === baseOf(s) && rank(other) > rank(s)),
  );
  return kept.sort();
}
