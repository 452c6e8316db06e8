import type { Octokit } from "@octokit/rest";
import type { WebApi } from "azure-devops-node-api";
import { type AzureDevOpsState, azureDevOpsState } from "./azure-devops-state.ts";
import type { DatabaseState } from "./tenant-database.ts";

export interface RepoState {
  defaultBranch: string;
  files: string[];
  protectedBranches: string[];
  openPulls: number;
}

/** What the providers hold, as their owners read it through the providers' own clients. */
export interface ProviderState {
  /** The tenant's GitHub organisation's repositories, by name. */
  github: Record<string, RepoState>;
  /** The organisation itself: its teams, and its pending invitations as `<invitee>:<role>`. */
  org?: { teams: string[]; invitations: string[] };
  azureDevOps: AzureDevOpsState;
  /** The tenant's database, when the scenario seeds or grades it. */
  database?: DatabaseState;
}

const status = (e: unknown) => (e as { status?: number }).status;
const absentIf404 = <T>(e: unknown, none: T): T | Promise<never> =>
  status(e) === 404 ? none : Promise.reject(e);

async function repoState(
  octokit: Octokit,
  owner: string,
  repo: string,
  defaultBranch: string,
): Promise<RepoState> {
  const branches = (await octokit.repos.listBranches({ owner, repo, per_page: 100 })).data;
  const head = branches.find((b) => b.name === defaultBranch);
  let files: string[] = [];
  if (head) {
    const commit = await octokit.git.getCommit({ owner, repo, commit_sha: head.commit.sha });
    const tree = await octokit.git.getTree({ owner, repo, tree_sha: commit.data.tree.sha, recursive: "1" });
    files = tree.data.tree
      .filter((e) => e.type === "blob")
      .map((e) => e.path as string)
      .sort();
  }
  const pulls = await octokit.pulls.list({ owner, repo, state: "open", per_page: 100 });
  return {
    defaultBranch,
    files,
    protectedBranches: branches
      .filter((b) => b.protected)
      .map((b) => b.name)
      .sort(),
    openPulls: pulls.data.length,
  };
}

async function githubState(octokit: Octokit, org: string) {
  const repos = await octokit.repos.listForOrg({ org, per_page: 100 }).then(
    (r) => r.data,
    (e) => absentIf404(e, []),
  );
  const github: ProviderState["github"] = {};
  for (const r of repos) github[r.name] = await repoState(octokit, org, r.name, r.default_branch ?? "main");
  const teams = await octokit.teams.list({ org, per_page: 100 }).then(
    (r) => r.data.map((t) => t.slug).sort(),
    (e) => absentIf404(e, [] as string[]),
  );
  const invitations = await octokit.orgs.listPendingInvitations({ org, per_page: 100 }).then(
    (r) => r.data.map((i) => `${i.login ?? i.email}:${i.role}`).sort(),
    (e) => absentIf404(e, [] as string[]),
  );
  return { github, org: { teams, invitations } };
}

/** The providers' state in `tenant`'s world: its GitHub organisation, and the whole Azure DevOps organisation. */
export async function providerState(world: {
  tenant: string;
  octokit: Octokit;
  azureDevOps: WebApi;
  database?: () => Promise<DatabaseState>;
}): Promise<ProviderState> {
  return {
    ...(await githubState(world.octokit, world.tenant)),
    azureDevOps: await azureDevOpsState(world.azureDevOps),
    ...(world.database ? { database: await world.database() } : {}),
  };
}

/** How `after` differs from `before`, a line per fact that changed (`github acme-api.protectedBranches: …`). */
export function stateDiff(before: ProviderState, after: ProviderState): string[] {
  const facts = (state: ProviderState) => {
    const flat = new Map<string, string>();
    for (const [name, repo] of Object.entries(state.github))
      for (const [key, value] of Object.entries(repo))
        flat.set(`github ${name}.${key}`, JSON.stringify(value));
    for (const [key, value] of Object.entries(state.org ?? {}))
      flat.set(`github org.${key}`, JSON.stringify(value));
    for (const [key, value] of Object.entries(state.azureDevOps))
      flat.set(`azure-devops ${key}`, JSON.stringify(value));
    for (const [key, value] of Object.entries(state.database ?? {}))
      flat.set(`database ${key}`, JSON.stringify(value));
    return flat;
  };
  const was = facts(before);
  const is = facts(after);
  return [...new Set([...was.keys(), ...is.keys()])]
    .filter((k) => was.get(k) !== is.get(k))
    .map((k) => `${k}: ${was.get(k) ?? "(none)"} → ${is.get(k) ?? "(none)"}`);
}
