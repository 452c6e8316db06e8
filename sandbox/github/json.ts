import { createHash } from "node:crypto";
import type { Context } from "hono";
import type { CommitObject, Person } from "./git.ts";
import type { Org, Repo } from "./model.ts";

/** GitHub's response shapes, with API URLs on the sandbox's own origin. */
export const apiOf = (c: Context) => new URL(c.req.url).origin;

export const nodeId = (kind: string, id: number | string) =>
  createHash("sha1").update(`${kind}:${id}`).digest("base64url").slice(0, 20);

const seconds = (iso: string) => iso.replace(/\.\d{3}Z$/, "Z");

export function ownerJson(
  api: string,
  owner: { login: string; id: number },
  type: "Organization" | "User" | "Bot",
) {
  return {
    login: owner.login,
    id: owner.id,
    node_id: nodeId(type, owner.id),
    avatar_url: `${api}/avatars/${owner.login}`,
    gravatar_id: "",
    url: `${api}/users/${owner.login}`,
    html_url: `${api}/${owner.login}`,
    type,
    site_admin: false,
  };
}

export function orgJson(api: string, org: Org) {
  return {
    login: org.login,
    id: org.id,
    node_id: nodeId("Organization", org.id),
    url: `${api}/orgs/${org.login}`,
    repos_url: `${api}/orgs/${org.login}/repos`,
    description: null,
  };
}

export function repositoryJson(api: string, repo: Repo, owner: { login: string; id: number }) {
  const url = `${api}/repos/${repo.owner}/${repo.name}`;
  return {
    id: repo.id,
    node_id: nodeId("Repository", repo.id),
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    private: repo.private,
    visibility: repo.visibility,
    owner: ownerJson(api, owner, "Organization"),
    html_url: `${api}/${repo.owner}/${repo.name}`,
    description: repo.description,
    fork: false,
    url,
    git_url: `git://sandbox/${repo.owner}/${repo.name}.git`,
    clone_url: `${api}/${repo.owner}/${repo.name}.git`,
    default_branch: repo.defaultBranch,
    archived: repo.archived,
    disabled: false,
    is_template: repo.isTemplate,
    has_issues: repo.hasIssues,
    has_wiki: repo.hasWiki,
    has_projects: repo.hasProjects,
    allow_squash_merge: repo.allowSquashMerge,
    allow_merge_commit: repo.allowMergeCommit,
    allow_rebase_merge: repo.allowRebaseMerge,
    delete_branch_on_merge: repo.deleteBranchOnMerge,
    template_repository: null,
    created_at: seconds(repo.createdAt),
    updated_at: seconds(repo.updatedAt),
    pushed_at: repo.pushedAt ? seconds(repo.pushedAt) : null,
    security_and_analysis: {
      secret_scanning: { status: repo.security.secretScanning ? "enabled" : "disabled" },
      secret_scanning_push_protection: {
        status: repo.security.secretScanningPushProtection ? "enabled" : "disabled",
      },
      dependabot_security_updates: { status: repo.security.automatedSecurityFixes ? "enabled" : "disabled" },
    },
  };
}

const personJson = (p: Person) => ({ name: p.name, email: p.email, date: p.date });

export function gitCommitJson(api: string, repo: Repo, commit: CommitObject) {
  const base = `${api}/repos/${repo.owner}/${repo.name}/git`;
  return {
    sha: commit.sha,
    node_id: nodeId("Commit", commit.sha),
    url: `${base}/commits/${commit.sha}`,
    html_url: `${api}/${repo.owner}/${repo.name}/commit/${commit.sha}`,
    author: personJson(commit.author),
    committer: personJson(commit.committer),
    message: commit.message,
    tree: { sha: commit.tree, url: `${base}/trees/${commit.tree}` },
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${base}/commits/${sha}`,
      html_url: `${api}/${repo.owner}/${repo.name}/commit/${sha}`,
    })),
    verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  };
}

export function refJson(api: string, repo: Repo, ref: { ref: string; sha: string }) {
  return {
    ref: ref.ref,
    node_id: nodeId("Ref", `${repo.id}:${ref.ref}`),
    url: `${api}/repos/${repo.owner}/${repo.name}/git/${ref.ref}`,
    object: {
      type: "commit",
      sha: ref.sha,
      url: `${api}/repos/${repo.owner}/${repo.name}/git/commits/${ref.sha}`,
    },
  };
}
