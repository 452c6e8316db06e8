import { nodeId, ownerJson, repositoryJson } from "./json.ts";
import type { Issue, Label, Repo, Review } from "./model.ts";

const seconds = (iso: string | null) => (iso ? iso.replace(/\.\d{3}Z$/, "Z") : null);
const user = (api: string, login: string) =>
  ownerJson(
    api,
    { login, id: Math.abs([...login].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) | 0, 7)) },
    login.endsWith("[bot]") ? "Bot" : "User",
  );

export function labelJson(api: string, repo: Repo, l: Label) {
  return {
    id: l.id,
    node_id: nodeId("Label", l.id),
    url: `${api}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    description: l.description,
    default: false,
  };
}

export function issueJson(api: string, repo: Repo, i: Issue, labels: Label[]) {
  const base = `${api}/repos/${repo.owner}/${repo.name}`;
  return {
    id: i.id,
    node_id: nodeId(i.pull ? "PullRequest" : "Issue", i.id),
    url: `${base}/issues/${i.number}`,
    repository_url: base,
    labels_url: `${base}/issues/${i.number}/labels{/name}`,
    comments_url: `${base}/issues/${i.number}/comments`,
    events_url: `${base}/issues/${i.number}/events`,
    html_url: `${api}/${repo.owner}/${repo.name}/${i.pull ? "pull" : "issues"}/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: i.stateReason,
    title: i.title,
    body: i.body,
    user: user(api, i.author),
    labels: i.labels
      .map((name) => labels.find((l) => l.name.toLowerCase() === name.toLowerCase()))
      .filter((l): l is Label => !!l)
      .map((l) => labelJson(api, repo, l)),
    assignee: i.assignees[0] ? user(api, i.assignees[0]) : null,
    assignees: i.assignees.map((a) => user(api, a)),
    locked: false,
    comments: 0,
    created_at: seconds(i.createdAt),
    updated_at: seconds(i.updatedAt),
    closed_at: seconds(i.closedAt),
    author_association: "MEMBER",
    milestone: null,
    active_lock_reason: null,
    ...(i.pull
      ? {
          pull_request: {
            url: `${base}/pulls/${i.number}`,
            html_url: `${api}/${repo.owner}/${repo.name}/pull/${i.number}`,
            merged_at: seconds(i.pull.mergedAt),
          },
        }
      : {}),
  };
}

export function pullJson(
  api: string,
  repo: Repo,
  i: Issue,
  labels: Label[],
  owner: { login: string; id: number },
) {
  const pull = i.pull;
  if (!pull) throw new TypeError("not a pull request");
  const base = `${api}/repos/${repo.owner}/${repo.name}`;
  const side = (ref: string, sha: string) => ({
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: ownerJson(api, owner, "Organization"),
    repo: repositoryJson(api, repo, owner),
  });
  const url = `${base}/pulls/${i.number}`;
  const html = `${api}/${repo.owner}/${repo.name}/pull/${i.number}`;
  return {
    ...issueJson(api, repo, i, labels),
    url,
    html_url: html,
    issue_url: `${base}/issues/${i.number}`,
    commits_url: `${url}/commits`,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${base}/pulls/comments{/number}`,
    statuses_url: `${base}/statuses/${pull.headSha}`,
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: `${base}/issues/${i.number}` },
      comments: { href: `${base}/issues/${i.number}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${base}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${base}/statuses/${pull.headSha}` },
    },
    auto_merge: null,
    additions: 0,
    deletions: 0,
    changed_files: 0,
    commits: 1,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    rebaseable: true,
    draft: pull.draft,
    head: side(pull.head, pull.headSha),
    base: side(pull.base, pull.baseSha),
    merged: pull.merged,
    merged_at: seconds(pull.mergedAt),
    merge_commit_sha: pull.mergeCommitSha,
    merged_by: pull.mergedBy ? user(api, pull.mergedBy) : null,
    mergeable: pull.merged ? null : true,
    mergeable_state: pull.merged ? "unknown" : "clean",
  };
}

export function reviewJson(api: string, repo: Repo, number: number, r: Review) {
  return {
    id: r.id,
    node_id: nodeId("PullRequestReview", r.id),
    user: user(api, r.author),
    body: r.body,
    state: r.state,
    commit_id: r.commitId,
    submitted_at: seconds(r.submittedAt),
    html_url: `${api}/${repo.owner}/${repo.name}/pull/${number}#pullrequestreview-${r.id}`,
    pull_request_url: `${api}/repos/${repo.owner}/${repo.name}/pulls/${number}`,
    author_association: "MEMBER",
    _links: {
      html: { href: `${api}/${repo.owner}/${repo.name}/pull/${number}` },
      pull_request: { href: `${api}/repos/${repo.owner}/${repo.name}/pulls/${number}` },
    },
  };
}
