import { differs } from "../../shared/planner.ts";
import { blobSha } from "../operations/contents.ts";
import type { Repository } from "../operations/repos.ts";
import type { RepoBlueprint } from "./blueprint.ts";
import type { GitHubPlanner } from "./planner.ts";

interface Target {
  owner: string;
  repo: string;
  where: string;
  current: Repository | undefined;
}

/** A repository and everything in it; an absent repository plans every child as a create without reading it. */
export async function planRepo(p: GitHubPlanner, owner: string, repo: RepoBlueprint): Promise<void> {
  const ref = { owner, repo: repo.name };
  const current = await p.factory.call("repos_get_repository", ref).catch((error: { status?: number }) => {
    if (error.status === 404) return undefined;
    throw error;
  });
  const t: Target = { ...ref, where: `${owner}/${repo.name}`, current };
  const settings = {
    description: repo.description,
    visibility: repo.visibility,
    deleteBranchOnMerge: repo.deleteBranchOnMerge,
    allowMergeCommit: repo.allowMergeCommit,
    allowSquashMerge: repo.allowSquashMerge,
    allowRebaseMerge: repo.allowRebaseMerge,
  };
  if (!current && repo.template) {
    const template = { templateOwner: repo.template.owner, templateRepo: repo.template.repo };
    p.settle(t.where, false, {
      tool: "repos_create_from_template",
      input: { ...template, ...ref, visibility: repo.visibility },
      changes: { template: [null, `${repo.template.owner}/${repo.template.repo}`] },
      calls: 1,
    });
  } else if (!current)
    p.settle(t.where, false, {
      tool: "repos_create_repository",
      input: { ...ref, ...settings },
      changes: differs(null, settings),
      calls: 1,
    });
  // A repository generated from a template takes its settings in a second step.
  if (current || repo.template) {
    const drift = differs(current ?? null, settings);
    const update = p.when(drift, {
      tool: "repos_update_repository",
      input: {
        ...ref,
        ...Object.fromEntries(Object.entries(drift).map(([k, v]) => [k, (v as unknown[])[1]])),
      },
      calls: 1,
    });
    if (update || current) p.settle(t.where, true, update);
  }
  await planFiles(p, t, repo);
  await planProtection(p, t, repo);
  await planSecrets(p, t, repo);
  await planVariables(p, t, repo);
  await planEnvironments(p, t, repo);
  await planSecurity(p, t, repo);
}

async function planFiles(p: GitHubPlanner, t: Target, repo: RepoBlueprint) {
  if (repo.files.length === 0) return;
  const branch = t.current?.defaultBranch ?? "main";
  const existing = new Map(
    t.current
      ? (await p.factory.call("contents_list_files", { owner: t.owner, repo: t.repo, branch })).map((f) => [
          f.path,
          f.sha,
        ])
      : [],
  );
  const changed = repo.files.filter((f) => existing.get(f.path) !== blobSha(f.content));
  const step = p.when(
    changed.length > 0
      ? { files: changed.map((f) => (existing.has(f.path) ? `~ ${f.path}` : `+ ${f.path}`)) }
      : {},
    {
      tool: "contents_commit_files",
      input: {
        owner: t.owner,
        repo: t.repo,
        branch,
        message: "Apply the startup-factory blueprint",
        files: changed,
      },
      calls: 6,
    },
  );
  p.settle(`${t.where}@${branch} files`, t.current !== undefined, step);
}

async function planProtection(p: GitHubPlanner, t: Target, repo: RepoBlueprint) {
  if (!repo.protection) return;
  const { branch, ...desired } = repo.protection;
  const ref = { owner: t.owner, repo: t.repo, branch };
  const now = t.current ? await p.factory.call("protection_get_branch_protection", ref) : null;
  p.settle(
    `${t.where}@${branch}`,
    now !== null,
    p.when(differs(now, desired), {
      tool: "protection_update_branch_protection",
      input: { ...ref, ...desired },
      calls: 1,
    }),
  );
}

/** Secret values cannot be read back: one that exists is left as it is (rotate by deleting it first). */
async function planSecrets(p: GitHubPlanner, t: Target, repo: RepoBlueprint) {
  if (repo.secrets.length === 0) return;
  const ref = { owner: t.owner, repo: t.repo };
  const present = new Set(
    t.current ? (await p.factory.call("secrets_list_secrets", ref)).map((s) => s.name) : [],
  );
  for (const secret of repo.secrets)
    p.settle(
      `${t.where}/secrets/${secret.name}`,
      false,
      present.has(secret.name)
        ? undefined
        : {
            tool: "secrets_set_secret",
            input: { ...ref, name: secret.name },
            secretRefs: [{ path: ["value"], ref: secret.ref }],
            changes: { ref: [null, secret.ref] },
            calls: 2,
          },
    );
}

async function planVariables(p: GitHubPlanner, t: Target, repo: RepoBlueprint) {
  for (const variable of repo.variables) {
    const ref = { owner: t.owner, repo: t.repo, name: variable.name };
    const now = t.current ? await p.factory.call("variables_get_variable", ref) : null;
    p.settle(
      `${t.where}/variables/${variable.name}`,
      now !== null,
      p.when(differs(now, { value: variable.value }), {
        tool: "variables_set_variable",
        input: { ...ref, value: variable.value },
        calls: 2,
      }),
    );
  }
}

async function planEnvironments(p: GitHubPlanner, t: Target, repo: RepoBlueprint) {
  for (const { name, ...desired } of repo.environments) {
    const ref = { owner: t.owner, repo: t.repo, name };
    const now = t.current ? await p.factory.call("environments_get_environment", ref) : null;
    p.settle(
      `${t.where}/environments/${name}`,
      now !== null,
      p.when(differs(now, desired), {
        tool: "environments_set_environment",
        input: { ...ref, ...desired },
        calls: 1 + desired.reviewers.length,
      }),
    );
  }
}

async function planSecurity(p: GitHubPlanner, t: Target, repo: RepoBlueprint) {
  if (!repo.security) return;
  const ref = { owner: t.owner, repo: t.repo };
  const now = t.current ? await p.factory.call("security_get_settings", ref) : null;
  p.settle(
    `${t.where}/security`,
    now !== null,
    p.when(differs(now, repo.security), {
      tool: "security_update_settings",
      input: { ...ref, ...repo.security },
      calls: 4,
    }),
  );
}
