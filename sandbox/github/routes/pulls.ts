import type { Context } from "hono";
import { Hono } from "hono";
import { getRef, putCommit, putTree, setRef } from "../../git.ts";
import { isAncestor, mergeFiles } from "../../merge.ts";
import type { Objects } from "../../store.ts";
import { allows, repoFor, type SandboxEnv } from "../auth.ts";
import { GitHubError, notAccessible, notFound, validationFailed } from "../errors.ts";
import { pullJson, reviewJson } from "../issue-json.ts";
import { apiOf, nodeId, ownerJson } from "../json.ts";
import { type Issue, type Org, type Repo, type Review, type Token, underRepo } from "../model.ts";
import { paginate } from "../paging.ts";
import { getIssue, listLabels, openIssue, putIssue } from "./issues.ts";
import { effectiveProtection, guardProtectedBranch } from "./ref-guard.ts";
import { assertWritable } from "./repos.ts";

type Body = Record<string, unknown>;

/** A pull request with its head SHA brought up to date with its branch (while open). */
async function pullFor(objects: Objects, repo: Repo, number: number, forUpdate = false): Promise<Issue> {
  const issue = await getIssue(objects, repo, number, forUpdate);
  if (!issue?.pull) throw notFound();
  if (issue.state === "open") {
    const head = await getRef(objects, repo, `refs/heads/${issue.pull.head}`);
    const base = await getRef(objects, repo, `refs/heads/${issue.pull.base}`);
    issue.pull = {
      ...issue.pull,
      headSha: head?.sha ?? issue.pull.headSha,
      baseSha: base?.sha ?? issue.pull.baseSha,
    };
  }
  return issue;
}

const reviewsOf = (objects: Objects, repo: Repo, number: number) =>
  objects.list<Review>("review", underRepo(repo, `${String(number).padStart(8, "0")}:`));

/** Why base-branch protection refuses the merge, if it does: approvals on the current head and required checks. */
async function mergeBlocker(
  objects: Objects,
  repo: Repo,
  pr: Issue,
  token: Token,
): Promise<string | undefined> {
  const pull = pr.pull as NonNullable<Issue["pull"]>;
  const protection = await effectiveProtection(objects, repo, pull.base);
  if (!protection || (token.kind === "user" && !protection.enforceAdmins)) return undefined;
  if (protection.requiredReviews) {
    const latest = new Map<string, Review>();
    for (const r of await reviewsOf(objects, repo, pr.number))
      if (r.state !== "COMMENTED") latest.set(r.author, r);
    const approvals = [...latest.values()].filter(
      (r) => r.state === "APPROVED" && (!protection.dismissStaleReviews || r.commitId === pull.headSha),
    ).length;
    if (approvals < protection.requiredReviews)
      return `At least ${protection.requiredReviews} approving review${protection.requiredReviews > 1 ? "s are" : " is"} required by reviewers with write access.`;
  }
  for (const context of protection.requiredStatusChecks ?? []) {
    const status = await objects.get<{ state: string }>(
      "status",
      underRepo(repo, `${pull.headSha}:${context}`),
    );
    if (status?.state !== "success") return `Required status check "${context}" is expected.`;
  }
  return undefined;
}

/** Pull requests: open, read, list, review, merge (merge commit or squash), and commit statuses for checks. */
export function pullRoutes(): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();
  const reply = async (c: Context<SandboxEnv>, repo: Repo, pr: Issue, status: 200 | 201 = 200) => {
    const objects = c.get("objects");
    const org = (await objects.get<Org>("org", repo.owner.toLowerCase())) ?? { login: repo.owner, id: 0 };
    return c.json(pullJson(apiOf(c), repo, pr, await listLabels(objects, repo), org), status);
  };
  const path = "/repos/:owner/:repo/pulls/:number{[0-9]+}";

  app.post("/repos/:owner/:repo/pulls", async (c) => {
    const { repo, token } = await repoFor(c, ["pull_requests", "write"]);
    assertWritable(repo);
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    if (typeof body.title !== "string" || body.title.trim() === "")
      throw validationFailed([{ resource: "PullRequest", field: "title", code: "missing_field" }]);
    const headName = String(body.head ?? "").replace(new RegExp(`^${repo.owner}:`, "i"), "");
    const baseName = String(body.base ?? "");
    const head = await getRef(objects, repo, `refs/heads/${headName}`);
    const base = await getRef(objects, repo, `refs/heads/${baseName}`);
    if (!head) throw validationFailed([{ resource: "PullRequest", field: "head", code: "invalid" }]);
    if (!base) throw validationFailed([{ resource: "PullRequest", field: "base", code: "invalid" }]);
    if (head.sha === base.sha || (await isAncestor(objects, repo, head.sha, base.sha)))
      throw validationFailed([
        {
          resource: "PullRequest",
          field: "head",
          code: "custom",
          message: `No commits between ${baseName} and ${headName}`,
        },
      ]);
    const open = (await objects.list<Issue>("issue", underRepo(repo))).find(
      (i) => i.state === "open" && i.pull?.head === headName && i.pull.base === baseName,
    );
    if (open)
      throw validationFailed([
        {
          resource: "PullRequest",
          field: "head",
          code: "custom",
          message: `A pull request already exists for ${repo.owner}:${headName}.`,
        },
      ]);
    const pr = await openIssue(objects, repo, {
      title: body.title,
      body: typeof body.body === "string" ? body.body : null,
      labels: [],
      assignees: [],
      author: token.login,
      pull: {
        head: headName,
        base: baseName,
        headSha: head.sha,
        baseSha: base.sha,
        draft: body.draft === true,
        merged: false,
        mergedAt: null,
        mergeCommitSha: null,
        mergedBy: null,
      },
    });
    return reply(c, repo, pr, 201);
  });

  app.get("/repos/:owner/:repo/pulls", async (c) => {
    const { repo } = await repoFor(c, ["pull_requests", "read"]);
    const objects = c.get("objects");
    const state = c.req.query("state") ?? "open";
    const all = (await objects.list<Issue>("issue", underRepo(repo))).filter(
      (i) => i.pull && (state === "all" || i.state === state),
    );
    const pulls = await Promise.all(all.reverse().map((i) => pullFor(objects, repo, i.number)));
    const labels = await listLabels(objects, repo);
    const org = (await objects.get<Org>("org", repo.owner.toLowerCase())) ?? { login: repo.owner, id: 0 };
    return c.json(paginate(c, pulls).map((p) => pullJson(apiOf(c), repo, p, labels, org)));
  });

  app.get(path, async (c) => {
    const { repo } = await repoFor(c, ["pull_requests", "read"]);
    return reply(c, repo, await pullFor(c.get("objects"), repo, Number(c.req.param("number"))));
  });

  app.post(`${path}/reviews`, async (c) => {
    const { repo, token } = await repoFor(c, ["pull_requests", "write"]);
    const objects = c.get("objects");
    const pr = await pullFor(objects, repo, Number(c.req.param("number")));
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const states = {
      APPROVE: "APPROVED",
      REQUEST_CHANGES: "CHANGES_REQUESTED",
      COMMENT: "COMMENTED",
    } as const;
    const state = states[body.event as keyof typeof states];
    if (!state) throw validationFailed([{ resource: "PullRequestReview", field: "event", code: "invalid" }]);
    if (state !== "COMMENTED" && pr.author === token.login)
      throw new GitHubError(
        422,
        `Unprocessable Entity: "Can not ${state === "APPROVED" ? "approve" : "request changes on"} your own pull request"`,
      );
    if (pr.state !== "open") throw new GitHubError(422, "Unprocessable Entity: pull request is closed");
    const review: Review = {
      id: await objects.nextId(),
      author: token.login,
      state,
      body: typeof body.body === "string" ? body.body : "",
      commitId: typeof body.commit_id === "string" ? body.commit_id : (pr.pull?.headSha as string),
      submittedAt: new Date().toISOString(),
    };
    await objects.put(
      "review",
      underRepo(repo, `${String(pr.number).padStart(8, "0")}:${review.id}`),
      review,
    );
    return c.json(reviewJson(apiOf(c), repo, pr.number, review));
  });

  app.get(`${path}/reviews`, async (c) => {
    const { repo } = await repoFor(c, ["pull_requests", "read"]);
    const number = Number(c.req.param("number"));
    await pullFor(c.get("objects"), repo, number);
    return c.json(
      (await reviewsOf(c.get("objects"), repo, number)).map((r) => reviewJson(apiOf(c), repo, number, r)),
    );
  });

  app.put(`${path}/merge`, async (c) => {
    const { repo, token } = await repoFor(c, ["contents", "write"]);
    assertWritable(repo);
    if (!allows(token.permissions, "pull_requests", "write") && token.kind === "installation")
      throw notAccessible();
    const objects = c.get("objects");
    const pr = await pullFor(objects, repo, Number(c.req.param("number")), true);
    const pull = pr.pull as NonNullable<Issue["pull"]>;
    const body = (await c.req.json().catch(() => ({}))) as Body;
    if (pr.state !== "open" || pull.merged) throw new GitHubError(405, "Pull Request is not mergeable");
    if (typeof body.sha === "string" && body.sha !== pull.headSha)
      throw new GitHubError(409, "Head branch was modified. Review and try the merge again.");
    const method = body.merge_method ?? "merge";
    if (!["merge", "squash", "rebase"].includes(String(method)))
      throw validationFailed([{ resource: "PullRequest", field: "merge_method", code: "invalid" }]);
    const blocker = await mergeBlocker(objects, repo, pr, token);
    if (blocker) throw new GitHubError(405, blocker);
    const { files, conflicts } = await mergeFiles(objects, repo, pull.baseSha, pull.headSha);
    if (conflicts.length > 0) throw new GitHubError(405, "Pull Request is not mergeable");
    await guardProtectedBranch(objects, repo, token, pull.base, { via: "pull-request" });
    const tree = await putTree(objects, repo, files);
    const title = typeof body.commit_title === "string" ? body.commit_title : `${pr.title} (#${pr.number})`;
    const commit = await putCommit(objects, repo, {
      tree: tree.sha,
      parents: method === "merge" ? [pull.baseSha, pull.headSha] : [pull.baseSha],
      message: typeof body.commit_message === "string" ? `${title}\n\n${body.commit_message}` : title,
    });
    await setRef(objects, repo, `refs/heads/${pull.base}`, commit.sha);
    const now = new Date().toISOString();
    await putIssue(objects, repo, {
      ...pr,
      state: "closed",
      closedAt: now,
      updatedAt: now,
      pull: { ...pull, merged: true, mergedAt: now, mergeCommitSha: commit.sha, mergedBy: token.login },
    });
    if (repo.deleteBranchOnMerge) await objects.delete("ref", underRepo(repo, `refs/heads/${pull.head}`));
    return c.json({ sha: commit.sha, merged: true, message: "Pull Request successfully merged" });
  });

  app.post("/repos/:owner/:repo/statuses/:sha", async (c) => {
    const { repo, token } = await repoFor(c, ["statuses", "write"]);
    const body = (await c.req.json().catch(() => ({}))) as Body;
    if (!["error", "failure", "pending", "success"].includes(String(body.state)))
      throw validationFailed([{ resource: "Status", field: "state", code: "invalid" }]);
    const context = typeof body.context === "string" ? body.context : "default";
    const id = await c.get("objects").nextId();
    const status = {
      id,
      state: String(body.state),
      context,
      description: body.description ?? null,
      creator: token.login,
    };
    await c.get("objects").put("status", underRepo(repo, `${c.req.param("sha")}:${context}`), status);
    return c.json(
      {
        ...status,
        creator: ownerJson(
          apiOf(c),
          { login: token.login, id: 1 },
          token.kind === "installation" ? "Bot" : "User",
        ),
        avatar_url: `${apiOf(c)}/avatars/${token.login}`,
        node_id: nodeId("StatusContext", id),
        url: `${apiOf(c)}/repos/${repo.owner}/${repo.name}/statuses/${c.req.param("sha")}`,
        target_url: body.target_url ?? null,
        created_at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
        updated_at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      },
      201,
    );
  });

  // The statuses set on a commit (by full SHA), one per context: the latest, as GitHub lists them.
  app.get("/repos/:owner/:repo/commits/:sha{[0-9a-f]{40}}/statuses", async (c) => {
    const { repo } = await repoFor(c, ["statuses", "read"]);
    const statuses = await c
      .get("objects")
      .list<{ id: number; state: string; context: string; description: string | null }>(
        "status",
        underRepo(repo, `${c.req.param("sha")}:`),
      );
    return c.json(
      statuses.map((s) => ({
        ...s,
        url: `${apiOf(c)}/repos/${repo.owner}/${repo.name}/statuses/${c.req.param("sha")}`,
      })),
    );
  });

  return app;
}
