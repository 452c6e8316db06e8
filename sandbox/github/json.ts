import { createHash } from "node:crypto";
import type { Context } from "hono";
import type { CommitObject, Person } from "../git.ts";
import type { Org, Repo } from "./model.ts";

/** GitHub's response shapes, with API URLs on the sandbox's own origin. */
export const apiOf = (c: Context) => new URL(c.req.url).origin;

export const nodeId = (kind: string, id: number | string) =>
  createHash("sha1").update(`${kind}:${id}`).digest("base64url").slice(0, 20);

const seconds = (iso: string) => iso.replace(/\.\d{3}Z$/, "Z");

/** GitHub's simple-user shape (users, bots, and organisations as owners). */
export function ownerJson(
  api: string,
  owner: { login: string; id: number },
  type: "Organization" | "User" | "Bot",
) {
  const url = `${api}/users/${owner.login}`;
  return {
    login: owner.login,
    id: owner.id,
    node_id: nodeId(type, owner.id),
    avatar_url: `${api}/avatars/${owner.login}`,
    gravatar_id: "",
    url,
    html_url: `${api}/${owner.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type,
    site_admin: false,
  };
}

/** The organisation as teams embed it (team-organization). */
export function orgJson(api: string, org: Org) {
  const url = `${api}/orgs/${org.login}`;
  return {
    login: org.login,
    id: org.id,
    node_id: nodeId("Organization", org.id),
    url,
    repos_url: `${url}/repos`,
    events_url: `${url}/events`,
    hooks_url: `${url}/hooks`,
    issues_url: `${url}/issues`,
    members_url: `${url}/members{/member}`,
    public_members_url: `${url}/public_members{/member}`,
    avatar_url: `${api}/avatars/${org.login}`,
    description: null,
    html_url: `${api}/${org.login}`,
    has_organization_projects: true,
    has_repository_projects: true,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    type: "Organization",
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    archived_at: null,
  };
}

/** The URL templates every repository object carries. */
function repositoryUrls(api: string, repo: Repo) {
  const url = `${api}/repos/${repo.owner}/${repo.name}`;
  const t = (path: string) => `${url}/${path}`;
  return {
    url,
    archive_url: t("{archive_format}{/ref}"),
    assignees_url: t("assignees{/user}"),
    blobs_url: t("git/blobs{/sha}"),
    branches_url: t("branches{/branch}"),
    collaborators_url: t("collaborators{/collaborator}"),
    comments_url: t("comments{/number}"),
    commits_url: t("commits{/sha}"),
    compare_url: t("compare/{base}...{head}"),
    contents_url: t("contents/{+path}"),
    contributors_url: t("contributors"),
    deployments_url: t("deployments"),
    downloads_url: t("downloads"),
    events_url: t("events"),
    forks_url: t("forks"),
    git_commits_url: t("git/commits{/sha}"),
    git_refs_url: t("git/refs{/sha}"),
    git_tags_url: t("git/tags{/sha}"),
    hooks_url: t("hooks"),
    issue_comment_url: t("issues/comments{/number}"),
    issue_events_url: t("issues/events{/number}"),
    issues_url: t("issues{/number}"),
    keys_url: t("keys{/key_id}"),
    labels_url: t("labels{/name}"),
    languages_url: t("languages"),
    merges_url: t("merges"),
    milestones_url: t("milestones{/number}"),
    notifications_url: t("notifications{?since,all,participating}"),
    pulls_url: t("pulls{/number}"),
    releases_url: t("releases{/id}"),
    stargazers_url: t("stargazers"),
    statuses_url: t("statuses/{sha}"),
    subscribers_url: t("subscribers"),
    subscription_url: t("subscription"),
    tags_url: t("tags"),
    teams_url: t("teams"),
    trees_url: t("git/trees{/sha}"),
  };
}

/** GitHub's full-repository shape (a superset of repository and minimal-repository). */
export function repositoryJson(api: string, repo: Repo, owner: { login: string; id: number }) {
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
    ...repositoryUrls(api, repo),
    git_url: `git://sandbox/${repo.owner}/${repo.name}.git`,
    ssh_url: `git@sandbox:${repo.owner}/${repo.name}.git`,
    clone_url: `${api}/${repo.owner}/${repo.name}.git`,
    svn_url: `${api}/${repo.owner}/${repo.name}`,
    mirror_url: null,
    homepage: null,
    language: null,
    license: null,
    size: 0,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    open_issues: 0,
    open_issues_count: 0,
    network_count: 0,
    subscribers_count: 0,
    default_branch: repo.defaultBranch,
    archived: repo.archived,
    disabled: false,
    is_template: repo.isTemplate,
    has_issues: repo.hasIssues,
    has_wiki: repo.hasWiki,
    has_projects: repo.hasProjects,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    allow_squash_merge: repo.allowSquashMerge,
    allow_merge_commit: repo.allowMergeCommit,
    allow_rebase_merge: repo.allowRebaseMerge,
    delete_branch_on_merge: repo.deleteBranchOnMerge,
    created_at: seconds(repo.createdAt),
    updated_at: seconds(repo.updatedAt),
    pushed_at: seconds(repo.pushedAt ?? repo.createdAt),
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
