import type { GitHubFactory, GitHubOperationName } from "../factory.ts";
import { blobSha } from "../operations/contents.ts";
import type { Repository } from "../operations/repos.ts";
import { GitHubBlueprint, type RepoBlueprint, type TeamBlueprint } from "./blueprint.ts";

/** One change the plan makes: a factory operation with its input, and what it changes. */
export interface PlanStep {
  tool: GitHubOperationName;
  action: "create" | "update";
  resource: string;
  /** The operation's input; a secret's value is absent (`secretRef` says where apply resolves it from). */
  input: Record<string, unknown>;
  secretRef?: string;
  /** Field → [current, desired] for an update; the desired state for a create. */
  changes: Record<string, unknown>;
  /** Provider calls the step will make, estimated. */
  calls: number;
  needsApproval: boolean;
}

export interface Plan {
  org: string;
  steps: PlanStep[];
  /** Resources already as the blueprint says. */
  unchanged: string[];
  /** Provider calls made to read the current state. */
  readCalls: number;
  /** Provider calls the steps will make, estimated. */
  writeCalls: number;
}

export interface PlanOptions {
  /** Whether policy holds this step for approval (the controller's decision, asked per tool and resource). */
  needsApproval?: (tool: GitHubOperationName, resource: string) => boolean;
}

/** Counts the HTTP requests a factory sends while `work` runs (one plan or apply at a time per factory). */
export async function countingCalls<T>(
  factory: GitHubFactory,
  work: () => Promise<T>,
): Promise<{ result: T; calls: number }> {
  const before = factory.requests;
  const result = await work();
  return { result, calls: factory.requests - before };
}

const differs = (current: Record<string, unknown>, desired: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(desired)
      .filter(([k, v]) => v !== undefined && JSON.stringify(current[k]) !== JSON.stringify(v))
      .map(([k, v]) => [k, [current[k], v]]),
  );

/**
 * Reads the organisation and returns the changes that would make it match the blueprint, with no side
 * effects. An absent repository or team plans every child as a create without reading it.
 */
export async function plan(factory: GitHubFactory, input: unknown, options: PlanOptions = {}): Promise<Plan> {
  const blueprint = GitHubBlueprint.parse(input);
  const steps: PlanStep[] = [];
  const unchanged: string[] = [];
  const add = (step: Omit<PlanStep, "needsApproval">) =>
    steps.push({ ...step, needsApproval: options.needsApproval?.(step.tool, step.resource) ?? false });
  const { calls: readCalls } = await countingCalls(factory, async () => {
    // Teams first: environments name them as reviewers; their repository roles come once the repositories exist.
    const teams = [];
    for (const team of blueprint.teams)
      teams.push(await planTeam(factory, blueprint.org, team, add, unchanged));
    for (const repo of blueprint.repos) await planRepo(factory, blueprint.org, repo, add, unchanged);
    for (const team of teams) await team.planRepoRoles();
    await planOrgSecrets(factory, blueprint, add, unchanged);
  });
  return {
    org: blueprint.org,
    steps,
    unchanged,
    readCalls,
    writeCalls: steps.reduce((n, s) => n + s.calls, 0),
  };
}

type Add = (step: Omit<PlanStep, "needsApproval">) => void;

async function planRepo(
  factory: GitHubFactory,
  owner: string,
  repo: RepoBlueprint,
  add: Add,
  unchanged: string[],
) {
  const ref = { owner, repo: repo.name };
  const where = `${owner}/${repo.name}`;
  const current = await factory.call("repos_get_repository", ref).catch((error) => {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  });
  const settings = {
    description: repo.description,
    visibility: repo.visibility,
    deleteBranchOnMerge: repo.deleteBranchOnMerge,
    allowMergeCommit: repo.allowMergeCommit,
    allowSquashMerge: repo.allowSquashMerge,
    allowRebaseMerge: repo.allowRebaseMerge,
  };
  if (!current) {
    if (repo.template)
      add({
        tool: "repos_create_from_template",
        action: "create",
        resource: where,
        input: {
          templateOwner: repo.template.owner,
          templateRepo: repo.template.repo,
          ...ref,
          visibility: repo.visibility,
        },
        changes: { template: `${repo.template.owner}/${repo.template.repo}` },
        calls: 1,
      });
    else
      add({
        tool: "repos_create_repository",
        action: "create",
        resource: where,
        input: { ...ref, ...settings },
        changes: settings,
        calls: 1,
      });
  }
  const drift = current
    ? differs(current as unknown as Record<string, unknown>, settings)
    : repo.template
      ? differs({}, settings)
      : {};
  if (Object.keys(drift).length > 0)
    add({
      tool: "repos_update_repository",
      action: "update",
      resource: where,
      input: {
        ...ref,
        ...Object.fromEntries(Object.entries(drift).map(([k, v]) => [k, (v as unknown[])[1]])),
      },
      changes: drift,
      calls: 1,
    });
  else if (current) unchanged.push(where);

  const branch = current?.defaultBranch ?? "main";
  await planFiles(factory, ref, branch, repo, current, add, unchanged);
  await planProtection(factory, ref, repo, current, add, unchanged);
  await planSecretsAndVariables(factory, ref, repo, current, add, unchanged);
  await planEnvironments(factory, ref, repo, current, add, unchanged);
  if (repo.security) {
    const now = current ? await factory.call("security_get_settings", ref) : undefined;
    const change = differs((now ?? {}) as Record<string, unknown>, repo.security);
    if (Object.keys(change).length > 0)
      add({
        tool: "security_update_settings",
        action: now ? "update" : "create",
        resource: `${where}/security`,
        input: { ...ref, ...repo.security },
        changes: change,
        calls: 4,
      });
    else unchanged.push(`${where}/security`);
  }
}

async function planFiles(
  factory: GitHubFactory,
  ref: { owner: string; repo: string },
  branch: string,
  repo: RepoBlueprint,
  current: Repository | undefined,
  add: Add,
  unchanged: string[],
) {
  if (repo.files.length === 0) return;
  const where = `${ref.owner}/${ref.repo}@${branch}`;
  const existing = current
    ? new Map((await factory.call("contents_list_files", { ...ref, branch })).map((f) => [f.path, f.sha]))
    : new Map<string, string>();
  const changed = repo.files.filter((f) => existing.get(f.path) !== blobSha(f.content));
  if (changed.length === 0) return void unchanged.push(`${where} files`);
  add({
    tool: "contents_commit_files",
    action: current ? "update" : "create",
    resource: where,
    input: { ...ref, branch, message: "Apply the startup-factory blueprint", files: changed },
    changes: { files: changed.map((f) => (existing.has(f.path) ? `~ ${f.path}` : `+ ${f.path}`)) },
    calls: 6,
  });
}

async function planProtection(
  factory: GitHubFactory,
  ref: { owner: string; repo: string },
  repo: RepoBlueprint,
  current: Repository | undefined,
  add: Add,
  unchanged: string[],
) {
  if (!repo.protection) return;
  const { branch, ...desired } = repo.protection;
  const where = `${ref.owner}/${ref.repo}@${branch}`;
  const now = current ? await factory.call("protection_get_branch_protection", { ...ref, branch }) : null;
  const change = differs((now ?? {}) as Record<string, unknown>, desired);
  if (Object.keys(change).length === 0) return void unchanged.push(`${where} protection`);
  add({
    tool: "protection_update_branch_protection",
    action: now ? "update" : "create",
    resource: where,
    input: { ...ref, branch, ...desired },
    changes: change,
    calls: 1,
  });
}

async function planSecretsAndVariables(
  factory: GitHubFactory,
  ref: { owner: string; repo: string },
  repo: RepoBlueprint,
  current: Repository | undefined,
  add: Add,
  unchanged: string[],
) {
  const where = `${ref.owner}/${ref.repo}`;
  if (repo.secrets.length > 0) {
    // Values cannot be read back: a secret that exists is left as it is (rotate by deleting it first).
    const present = new Set(
      current ? (await factory.call("secrets_list_secrets", ref)).map((s) => s.name) : [],
    );
    for (const secret of repo.secrets) {
      const resource = `${where}/secrets/${secret.name}`;
      if (present.has(secret.name)) unchanged.push(resource);
      else
        add({
          tool: "secrets_set_secret",
          action: "create",
          resource,
          input: { ...ref, name: secret.name },
          secretRef: secret.ref,
          changes: { ref: secret.ref },
          calls: 2,
        });
    }
  }
  for (const variable of repo.variables) {
    const resource = `${where}/variables/${variable.name}`;
    const now = current
      ? await factory.call("variables_get_variable", { ...ref, name: variable.name })
      : null;
    if (now?.value === variable.value) unchanged.push(resource);
    else
      add({
        tool: "variables_set_variable",
        action: now ? "update" : "create",
        resource,
        input: { ...ref, name: variable.name, value: variable.value },
        changes: { value: [now?.value, variable.value] },
        calls: 2,
      });
  }
}

async function planEnvironments(
  factory: GitHubFactory,
  ref: { owner: string; repo: string },
  repo: RepoBlueprint,
  current: Repository | undefined,
  add: Add,
  unchanged: string[],
) {
  for (const { name, ...desired } of repo.environments) {
    const resource = `${ref.owner}/${ref.repo}/environments/${name}`;
    const now = current ? await factory.call("environments_get_environment", { ...ref, name }) : null;
    const change = differs((now ?? {}) as Record<string, unknown>, desired);
    if (Object.keys(change).length === 0) unchanged.push(resource);
    else
      add({
        tool: "environments_set_environment",
        action: now ? "update" : "create",
        resource,
        input: { ...ref, name, ...desired },
        changes: change,
        calls: 1 + desired.reviewers.length,
      });
  }
}

async function planTeam(
  factory: GitHubFactory,
  owner: string,
  team: TeamBlueprint,
  add: Add,
  unchanged: string[],
): Promise<{ planRepoRoles: () => Promise<void> }> {
  const slug = team.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const where = `${owner}/teams/${slug}`;
  const current = await factory.call("teams_get_team", { owner, team: slug });
  if (!current)
    add({
      tool: "teams_create_team",
      action: "create",
      resource: where,
      input: {
        owner,
        name: team.name,
        privacy: team.privacy,
        ...(team.description ? { description: team.description } : {}),
      },
      changes: { name: team.name },
      calls: 1,
    });
  else unchanged.push(where);
  for (const member of team.members) {
    const resource = `${where}/${member.user}`;
    const now = current
      ? await factory.call("teams_get_membership", { owner, team: slug, user: member.user })
      : null;
    if (now?.role === member.role) unchanged.push(resource);
    else
      add({
        tool: "teams_add_member",
        action: now ? "update" : "create",
        resource,
        input: { owner, team: slug, user: member.user, role: member.role },
        changes: { role: [now?.role, member.role] },
        calls: 1,
      });
  }
  return {
    planRepoRoles: () => planTeamRepoRoles(factory, owner, team, slug, current !== null, add, unchanged),
  };
}

async function planTeamRepoRoles(
  factory: GitHubFactory,
  owner: string,
  team: TeamBlueprint,
  slug: string,
  exists: boolean,
  add: Add,
  unchanged: string[],
) {
  const where = `${owner}/teams/${slug}`;
  const roles = new Map(
    exists
      ? (await factory.call("teams_list_repo_permissions", { owner, team: slug })).map((r) => [
          r.repo.toLowerCase(),
          r.permission,
        ])
      : [],
  );
  for (const link of team.repos) {
    const resource = `${where} -> ${owner}/${link.repo}`;
    const now = roles.get(link.repo.toLowerCase());
    if (now === link.permission) unchanged.push(resource);
    else
      add({
        tool: "teams_set_repo_permission",
        action: now ? "update" : "create",
        resource,
        input: { owner, team: slug, repo: link.repo, permission: link.permission },
        changes: { permission: [now, link.permission] },
        calls: 1,
      });
  }
}

async function planOrgSecrets(
  factory: GitHubFactory,
  blueprint: GitHubBlueprint,
  add: Add,
  unchanged: string[],
) {
  if (blueprint.orgSecrets.length === 0) return;
  const present = new Set(
    (await factory.call("secrets_list_secrets", { owner: blueprint.org })).map((s) => s.name),
  );
  for (const secret of blueprint.orgSecrets) {
    const resource = `${blueprint.org}/secrets/${secret.name}`;
    if (present.has(secret.name)) unchanged.push(resource);
    else
      add({
        tool: "secrets_set_secret",
        action: "create",
        resource,
        input: { owner: blueprint.org, name: secret.name, visibility: secret.visibility },
        secretRef: secret.ref,
        changes: { ref: secret.ref },
        calls: 2,
      });
  }
}
