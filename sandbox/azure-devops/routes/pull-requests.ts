import type { Context } from "hono";
import { Hono } from "hono";
import { deleteRef, getRef, putCommit, putTree, setRef } from "../../git.ts";
import { mergeFiles } from "../../merge.ts";
import type { Objects } from "../../store.ts";
import { type AdoEnv, identityId, identityRef, requireScope, userOfIdentity } from "../auth.ts";
import { AzureDevOpsError } from "../errors.ts";
import { type AdoRepo, type Project, type PullRequest, pullRequestKey, type ReviewerVote } from "../model.ts";
import { evaluatePullRequest } from "../policies.ts";
import { repoJson, repoOf } from "./git.ts";
import { wellFormedProject } from "./projects.ts";

type Body = Record<string, unknown>;

const apiBase = (c: Context) => `${new URL(c.req.url).origin}/${c.req.param("org")}`;
const org = (c: Context) => (c.req.param("org") ?? "").toLowerCase();

/** `status` arrives as a number from the typed client (PullRequestStatus) and as a name from other tools. */
const STATUS = ["notSet", "active", "abandoned", "completed", "all"] as const;
const statusOf = (v: unknown) =>
  typeof v === "number" ? STATUS[v] : STATUS.find((s) => s.toLowerCase() === String(v ?? "").toLowerCase());
const VOTES = [-10, -5, 0, 5, 10];

const notFound = () =>
  new AzureDevOpsError(
    404,
    "TF401180: The requested pull request was not found.",
    "GitPullRequestNotFoundException",
  );
const notEditable = () =>
  new AzureDevOpsError(
    400,
    "TF401181: The pull request cannot be edited due to its state.",
    "GitPullRequestNotEditableException",
  );

const headOf = async (objects: Objects, repo: AdoRepo, ref: string) =>
  (await getRef(objects, repo, ref))?.sha;

const prUrl = (c: Context, projectId: string, pr: PullRequest) =>
  `${apiBase(c)}/${projectId}/_apis/git/repositories/${pr.repoId}/pullrequests/${pr.id}`;

function reviewerJson(c: Context, pr: PullRequest, r: ReviewerVote) {
  const ref = identityRef(org(c), r.user);
  const reviewerUrl = `${prUrl(c, pr.projectId, pr)}/reviewers/${ref.id}`;
  return { ...ref, vote: r.vote, hasDeclined: false, isFlagged: false, reviewerUrl, url: reviewerUrl };
}

/** A pull request as Azure DevOps returns it; an active one shows its branches' current heads. */
async function pullRequestJson(c: Context<AdoEnv>, project: Project, repo: AdoRepo, pr: PullRequest) {
  const objects = c.get("objects");
  const active = pr.status === "active";
  const source = active ? await headOf(objects, repo, pr.sourceRefName) : pr.lastMergeSourceCommit;
  const target = active ? await headOf(objects, repo, pr.targetRefName) : pr.lastMergeTargetCommit;
  const commit = (id: string | undefined) =>
    id
      ? { commitId: id, url: `${apiBase(c)}/${project.id}/_apis/git/repositories/${repo.id}/commits/${id}` }
      : undefined;
  return {
    repository: repoJson(c, project, repo),
    pullRequestId: pr.id,
    codeReviewId: pr.id,
    status: pr.status,
    createdBy: identityRef(org(c), pr.createdBy),
    creationDate: pr.creationDate,
    ...(pr.closedDate ? { closedDate: pr.closedDate } : {}),
    ...(pr.closedBy ? { closedBy: identityRef(org(c), pr.closedBy) } : {}),
    title: pr.title,
    description: pr.description,
    sourceRefName: pr.sourceRefName,
    targetRefName: pr.targetRefName,
    mergeStatus: pr.mergeStatus,
    ...(pr.mergeFailureMessage ? { mergeFailureMessage: pr.mergeFailureMessage } : {}),
    isDraft: false,
    lastMergeSourceCommit: commit(source),
    lastMergeTargetCommit: commit(target),
    lastMergeCommit: commit(pr.lastMergeCommit),
    reviewers: pr.reviewers.map((r) => reviewerJson(c, pr, r)),
    url: prUrl(c, project.id, pr),
    supportsIterations: true,
    artifactId: `vstfs:///Git/PullRequestId/${project.id}%2f${repo.id}%2f${pr.id}`,
  };
}

async function pullRequestOf(c: Context<AdoEnv>, project: Project, repo?: AdoRepo): Promise<PullRequest> {
  const pr = await c
    .get("objects")
    .get<PullRequest>("pullrequest", pullRequestKey(project.id, Number(c.req.param("pullRequestId"))));
  if (!pr || (repo && pr.repoId !== repo.id)) throw notFound();
  return pr;
}

const save = (objects: Objects, pr: PullRequest) =>
  objects.put("pullrequest", pullRequestKey(pr.projectId, pr.id), pr);

/**
 * Completes a pull request: refused (TF401190) while a blocking policy on the target is not approved, stale
 * (TF401192) when the source moved since `lastMergeSourceCommit`; otherwise the source is merged into the target
 * (a merge commit, or one squashed commit), or the pull request stays active with its conflicts.
 */
async function complete(
  c: Context<AdoEnv>,
  repo: AdoRepo,
  pr: PullRequest,
  body: Body,
  user: string,
): Promise<PullRequest> {
  const objects = c.get("objects");
  const source = await headOf(objects, repo, pr.sourceRefName);
  const target = (await getRef(objects, repo, pr.targetRefName, true))?.sha;
  if (!source || !target)
    throw new AzureDevOpsError(
      400,
      "TF401398: The pull request cannot be activated because the source and/or the target branch no longer exists, or the requested refs are not branches",
      "GitPullRequestCannotBeActivated",
    );
  const pinned = (body.lastMergeSourceCommit as { commitId?: string } | undefined)?.commitId?.toLowerCase();
  if (pinned !== source)
    throw new AzureDevOpsError(
      409,
      "TF401192: The source branch has been modified since the last merge attempt.",
      "GitPullRequestStaleException",
    );
  const evaluations = await evaluatePullRequest(objects, repo, pr, source);
  if (evaluations.some((e) => e.status !== "approved"))
    throw new AzureDevOpsError(
      403,
      "TF401190: The update is rejected by policy",
      "GitPullRequestUpdateRejectedByPolicyException",
    );
  const { files, conflicts } = await mergeFiles(objects, repo, target, source);
  if (conflicts.length > 0)
    return {
      ...pr,
      mergeStatus: "conflicts",
      mergeFailureMessage: `Merge conflicts in ${conflicts.map((p) => `/${p}`).join(", ")}.`,
    };
  const options = (body.completionOptions ?? {}) as {
    mergeStrategy?: unknown;
    mergeCommitMessage?: string;
    deleteSourceBranch?: boolean;
  };
  const squash = options.mergeStrategy === 2 || String(options.mergeStrategy).toLowerCase() === "squash";
  const short = (ref: string) => ref.replace(/^refs\/heads\//, "");
  const tree = await putTree(objects, repo, files);
  const merged = await putCommit(objects, repo, {
    tree: tree.sha,
    parents: squash ? [target] : [target, source],
    message:
      options.mergeCommitMessage ??
      `Merge pull request ${pr.id} from ${short(pr.sourceRefName)} into ${short(pr.targetRefName)}`,
    author: { name: user, email: user, date: new Date().toISOString() },
  });
  await setRef(objects, repo, pr.targetRefName, merged.sha);
  if (options.deleteSourceBranch === true) await deleteRef(objects, repo, pr.sourceRefName);
  return {
    ...pr,
    status: "completed",
    closedDate: new Date().toISOString(),
    closedBy: user,
    mergeStatus: "succeeded",
    lastMergeSourceCommit: source,
    lastMergeTargetCommit: target,
    lastMergeCommit: merged.sha,
  };
}

/** Pull requests of a repository: create, list, read (also by id alone), update, complete, and reviewers' votes. */
export function pullRequestRoutes(): Hono<AdoEnv> {
  const app = new Hono<AdoEnv>();
  const prs = "/:org/:project/_apis/git/repositories/:repositoryId/pullrequests";
  const one = `${prs}/:pullRequestId{[0-9]+}`;

  app.post(prs, async (c) => {
    const pat = await requireScope(c, "vso.code_write");
    const project = await wellFormedProject(c);
    const repo = await repoOf(c, project);
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const [sourceRefName, targetRefName] = [body.sourceRefName, body.targetRefName].map((r) =>
      typeof r === "string" ? r : "",
    ) as [string, string];
    const title = typeof body.title === "string" ? body.title.trim() : "";
    if (!title)
      throw new AzureDevOpsError(400, "Invalid pull request title.", "InvalidArgumentValueException");
    const branches = [sourceRefName, targetRefName];
    if (
      !branches.every((r) => r.startsWith("refs/heads/")) ||
      !(await Promise.all(branches.map((r) => headOf(objects, repo, r)))).every(Boolean)
    )
      throw new AzureDevOpsError(
        400,
        "TF401398: The pull request cannot be activated because the source and/or the target branch no longer exists, or the requested refs are not branches",
        "GitPullRequestCannotBeActivated",
      );
    if (sourceRefName === targetRefName)
      throw new AzureDevOpsError(
        400,
        "The source and target branches of a pull request must differ.",
        "GitPullRequestInvalidParametersException",
      );
    const open = await objects.list<PullRequest>("pullrequest", `${project.id}/`);
    if (
      open.some(
        (p) =>
          p.repoId === repo.id &&
          p.status === "active" &&
          p.sourceRefName === sourceRefName &&
          p.targetRefName === targetRefName,
      )
    )
      throw new AzureDevOpsError(
        409,
        "TF401179: An active pull request for the source and target branch already exists.",
        "GitPullRequestExistsException",
      );
    const pr: PullRequest = {
      id: await objects.nextId(),
      projectId: project.id,
      repoId: repo.id,
      title,
      description: typeof body.description === "string" ? body.description : "",
      sourceRefName,
      targetRefName,
      status: "active",
      createdBy: pat.user,
      creationDate: new Date().toISOString(),
      reviewers: [],
      mergeStatus: "notSet",
    };
    await save(objects, pr);
    return c.json(await pullRequestJson(c, project, repo, pr), 201);
  });

  app.get(prs, async (c) => {
    await requireScope(c, "vso.code");
    const project = await wellFormedProject(c);
    const repo = await repoOf(c, project);
    const q = (name: string) => c.req.query(`searchCriteria.${name}`);
    const raw = q("status");
    const status = raw === undefined ? "active" : statusOf(/^\d+$/.test(raw) ? Number(raw) : raw);
    const all = await c.get("objects").list<PullRequest>("pullrequest", `${project.id}/`);
    const matching = all
      .filter(
        (p) =>
          p.repoId === repo.id &&
          (status === "all" || p.status === status) &&
          (!q("sourceRefName") || p.sourceRefName === q("sourceRefName")) &&
          (!q("targetRefName") || p.targetRefName === q("targetRefName")),
      )
      .reverse();
    const value = await Promise.all(matching.map((p) => pullRequestJson(c, project, repo, p)));
    return c.json({ count: value.length, value });
  });

  app.get(one, async (c) => {
    await requireScope(c, "vso.code");
    const project = await wellFormedProject(c);
    const repo = await repoOf(c, project);
    return c.json(await pullRequestJson(c, project, repo, await pullRequestOf(c, project, repo)));
  });

  app.get("/:org/:project/_apis/git/pullrequests/:pullRequestId{[0-9]+}", async (c) => {
    await requireScope(c, "vso.code");
    const project = await wellFormedProject(c);
    const pr = await pullRequestOf(c, project);
    const repos = await c.get("objects").list<AdoRepo>("repo", `${org(c)}/${project.id}/`);
    const repo = repos.find((r) => r.id === pr.repoId);
    if (!repo) throw notFound();
    return c.json(await pullRequestJson(c, project, repo, pr));
  });

  app.patch(one, async (c) => {
    const pat = await requireScope(c, "vso.code_write");
    const project = await wellFormedProject(c);
    const repo = await repoOf(c, project);
    const current = await pullRequestOf(c, project, repo);
    const body = (await c.req.json().catch(() => ({}))) as Body;
    if (current.status !== "active") throw notEditable();
    let pr: PullRequest = {
      ...current,
      ...(typeof body.title === "string" && body.title.trim() ? { title: body.title.trim() } : {}),
      ...(typeof body.description === "string" ? { description: body.description } : {}),
    };
    const status = body.status === undefined ? undefined : statusOf(body.status);
    if (status === "completed") pr = await complete(c, repo, pr, body, pat.user);
    else if (status === "abandoned")
      pr = { ...pr, status: "abandoned", closedDate: new Date().toISOString(), closedBy: pat.user };
    else if (status !== undefined && status !== "active")
      throw new AzureDevOpsError(
        400,
        `TF401183: Cannot set the status to ${status}.`,
        "InvalidArgumentValueException",
      );
    await save(c.get("objects"), pr);
    return c.json(await pullRequestJson(c, project, repo, pr));
  });

  app.get(`${one}/reviewers`, async (c) => {
    await requireScope(c, "vso.code");
    const project = await wellFormedProject(c);
    const repo = await repoOf(c, project);
    const pr = await pullRequestOf(c, project, repo);
    return c.json({ count: pr.reviewers.length, value: pr.reviewers.map((r) => reviewerJson(c, pr, r)) });
  });

  // A reviewer is added with a vote of 0; a vote other than 0 can be cast only by the reviewer themself.
  app.put(`${one}/reviewers/:reviewerId`, async (c) => {
    const pat = await requireScope(c, "vso.code_write");
    const project = await wellFormedProject(c);
    const repo = await repoOf(c, project);
    const objects = c.get("objects");
    const pr = await pullRequestOf(c, project, repo);
    const reviewerId = c.req.param("reviewerId").toLowerCase();
    const user = await userOfIdentity(objects, org(c), reviewerId);
    if (!user)
      throw new AzureDevOpsError(
        404,
        `TF401188: The requested identity (${reviewerId}) was not found.`,
        "GitIdentityNotFoundException",
      );
    if (pr.status !== "active") throw notEditable();
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const vote = body.vote === undefined ? 0 : Number(body.vote);
    if (!VOTES.includes(vote))
      throw new AzureDevOpsError(
        400,
        `The vote ${String(body.vote)} is not one of -10, -5, 0, 5, 10.`,
        "InvalidArgumentValueException",
      );
    if (vote !== 0 && reviewerId !== identityId(pat.org, pat.user))
      throw new AzureDevOpsError(
        400,
        "A vote can be cast only by the reviewer themself.",
        "GitPullRequestInvalidReviewer",
      );
    const votedOn = (await headOf(objects, repo, pr.sourceRefName)) ?? "";
    const reviewer: ReviewerVote = { user, vote, votedOn };
    await save(objects, { ...pr, reviewers: [...pr.reviewers.filter((r) => r.user !== user), reviewer] });
    return c.json(reviewerJson(c, pr, reviewer));
  });

  return app;
}
