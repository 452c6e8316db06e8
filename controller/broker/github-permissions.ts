import { globMatches } from "../client/glob.ts";
import type { GrantScope } from "../grants/scope.ts";
import { isReadOnlyTool } from "../policy/request.ts";

export type Level = "read" | "write";
export type GitHubPermissions = Record<string, Level>;

/**
 * The GitHub App permissions each tool area needs. A read tool gets them at `read`, a write at `write`;
 * `repos` reads need only `metadata`. Areas not listed need no permission beyond metadata.
 */
const AREAS: Record<
  string,
  { repo: string[]; org?: string[]; readNeedsOnlyMetadata?: boolean; writeAlso?: string[] }
> = {
  repos: { repo: ["administration"], readNeedsOnlyMetadata: true },
  contents: { repo: ["contents"] },
  branches: { repo: ["contents"] },
  codeowners: { repo: ["contents"] },
  protection: { repo: ["administration"] },
  rulesets: { repo: ["administration"] },
  actions: { repo: ["actions"] },
  // Creating or changing an environment is an Administration write on GitHub.
  environments: { repo: ["environments"], writeAlso: ["administration"] },
  secrets: { repo: ["secrets"], org: ["organization_secrets"] },
  variables: { repo: ["actions_variables"], org: ["organization_actions_variables"] },
  issues: { repo: ["issues"] },
  labels: { repo: ["issues"] },
  pulls: { repo: ["pull_requests"] },
  checks: { repo: ["statuses"] },
  security: { repo: ["vulnerability_alerts", "security_events", "secret_scanning_alerts", "administration"] },
  teams: { repo: [], org: ["members"] },
  members: { repo: [], org: ["members"] },
  orgs: { repo: [], org: ["members", "organization_administration"] },
};

/**
 * What a blueprint reaches (`plan_blueprint` reads it all, `apply_blueprint` writes it): repositories with
 * their files, protection, secrets, variables, environments and security settings; teams; organisation secrets.
 */
const BLUEPRINT_AREAS = [
  "repos",
  "contents",
  "protection",
  "secrets",
  "variables",
  "environments",
  "security",
  "teams",
];
const BLUEPRINT_TOOLS: Record<string, Level> = { plan: "read", apply: "write" };

const ORG_ONLY = new Set([
  "members",
  "organization_administration",
  "organization_secrets",
  "organization_actions_variables",
]);

function raise(into: GitHubPermissions, name: string, level: Level): void {
  if (into[name] !== "write") into[name] = level;
}

/** One tool pattern's needs: its area from the first word, read or write from its verb (`*` counts as write). */
function needs(pattern: string, into: GitHubPermissions): void {
  const [area = "*", ...rest] = pattern.split("_");
  const blueprint = BLUEPRINT_TOOLS[area];
  const areas = blueprint
    ? BLUEPRINT_AREAS
    : area === "*"
      ? Object.keys(AREAS)
      : area.includes("*")
        ? Object.keys(AREAS).filter((a) => globMatches(area, a))
        : [area];
  const level: Level =
    blueprint ?? (rest.length > 0 && !rest[0]?.includes("*") && isReadOnlyTool(pattern) ? "read" : "write");
  // A blueprint has organisation secrets and teams.
  const orgLevel =
    blueprint !== undefined || area === "*" || rest.includes("org") || rest.some((w) => w.includes("*"));
  for (const a of areas) {
    const spec = AREAS[a];
    if (!spec) continue;
    if (!(level === "read" && spec.readNeedsOnlyMetadata)) for (const p of spec.repo) raise(into, p, level);
    if (spec.org && (orgLevel || spec.repo.length === 0)) for (const p of spec.org) raise(into, p, level);
    if (level === "write") for (const p of spec.writeAlso ?? []) raise(into, p, "write");
    // Committing workflow files (scaffolds, CI) needs the workflows permission besides contents.
    if (level === "write" && (a === "contents" || a === "actions")) raise(into, "workflows", "write");
  }
}

/** The narrowest installation permissions that still let the grant's tools work. */
export function githubPermissions(scope: GrantScope): GitHubPermissions {
  const out: GitHubPermissions = { metadata: "read" };
  for (const entry of scope) for (const tool of entry.tools) needs(tool, out);
  return out;
}

/** Only the organisation-level permissions of a set, for a token that may touch no repository. */
export function orgOnly(permissions: GitHubPermissions): GitHubPermissions {
  return Object.fromEntries(Object.entries(permissions).filter(([p]) => p === "metadata" || ORG_ONLY.has(p)));
}

/** Does the scope let its holder create repositories (which cannot be listed on a token in advance)? */
export function createsRepositories(scope: GrantScope): boolean {
  return scope.some((e) =>
    e.tools.some(
      (t) => globMatches(t, "repos_create_repository") || globMatches(t, "repos_create_from_template"),
    ),
  );
}

/** The repository names and name patterns a scope reaches. */
export function repositoryPatterns(scope: GrantScope): string[] {
  return [...new Set(scope.flatMap((e) => e.resources))];
}
