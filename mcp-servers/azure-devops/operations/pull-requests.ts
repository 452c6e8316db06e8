import { setTimeout as sleep } from "node:timers/promises";
import {
  type GitPullRequest,
  GitPullRequestMergeStrategy,
  PullRequestAsyncStatus,
  PullRequestStatus,
} from "azure-devops-node-api/interfaces/GitInterfaces.js";
import { PolicyEvaluationStatus } from "azure-devops-node-api/interfaces/PolicyInterfaces.js";
import { z } from "zod";
import type { AzureDevOpsClient } from "../client.ts";
import { AzureDevOpsFactoryError, asAzureDevOpsError } from "../errors.ts";
import { operation } from "../operation.ts";
import { ProjectName } from "./projects.ts";
import { Branch, repoNotFound } from "./repos.ts";

const PullRequestRef = z.object({
  project: ProjectName,
  repo: z.string().min(1).max(64).describe("the Git repository's name or id, e.g. acme-app"),
  pullRequestId: z.number().int().positive().describe("the pull request's id"),
});

export interface PullRequestInfo {
  id: number;
  title: string;
  status: "active" | "abandoned" | "completed" | "unknown";
  sourceBranch: string;
  targetBranch: string;
  /** The source branch's head the pull request would merge (or merged). */
  sourceCommit: string | null;
  /** The commit the completion made on the target branch. */
  mergeCommit: string | null;
  mergeStatus: string;
  reviewers: { name: string; vote: number }[];
}

const STATUS: Record<number, PullRequestInfo["status"]> = {
  [PullRequestStatus.Active]: "active",
  [PullRequestStatus.Abandoned]: "abandoned",
  [PullRequestStatus.Completed]: "completed",
};
const MERGE: Record<number, string> = {
  [PullRequestAsyncStatus.NotSet]: "notSet",
  [PullRequestAsyncStatus.Queued]: "queued",
  [PullRequestAsyncStatus.Conflicts]: "conflicts",
  [PullRequestAsyncStatus.Succeeded]: "succeeded",
  [PullRequestAsyncStatus.RejectedByPolicy]: "rejectedByPolicy",
  [PullRequestAsyncStatus.Failure]: "failure",
};
const short = (ref: string | undefined) => (ref ?? "").replace(/^refs\/heads\//, "");

const toInfo = (pr: GitPullRequest): PullRequestInfo => ({
  id: pr.pullRequestId ?? 0,
  title: pr.title ?? "",
  status: STATUS[pr.status ?? 0] ?? "unknown",
  sourceBranch: short(pr.sourceRefName),
  targetBranch: short(pr.targetRefName),
  sourceCommit: pr.lastMergeSourceCommit?.commitId ?? null,
  mergeCommit: pr.lastMergeCommit?.commitId ?? null,
  mergeStatus: MERGE[pr.mergeStatus ?? 0] ?? "notSet",
  reviewers: (pr.reviewers ?? []).map((r) => ({
    name: r.uniqueName ?? r.displayName ?? "",
    vote: r.vote ?? 0,
  })),
});

async function requirePullRequest(
  client: AzureDevOpsClient,
  i: z.output<typeof PullRequestRef>,
  op: string,
): Promise<GitPullRequest> {
  const pr = await (await client.getGitApi()).getPullRequest(i.repo, i.pullRequestId, i.project);
  if (!pr)
    throw new AzureDevOpsFactoryError(
      op,
      `${i.project}/${i.repo}!${i.pullRequestId}`,
      404,
      `pull request ${i.pullRequestId} does not exist in ${i.project}/${i.repo}`,
      "GitPullRequestNotFoundException",
    );
  return pr;
}

/** Azure DevOps merges asynchronously: until the merge settles the pull request stays active with a queued merge. */
async function settled(client: AzureDevOpsClient, i: z.output<typeof PullRequestRef>, pr: GitPullRequest) {
  const git = await client.getGitApi();
  let current = pr;
  for (let wait = 0; wait < 30 && current.status === PullRequestStatus.Active; wait++) {
    if (current.mergeStatus !== PullRequestAsyncStatus.Queued) break;
    await sleep(1000);
    current = (await git.getPullRequest(i.repo, i.pullRequestId, i.project)) ?? current;
  }
  return current;
}

/**
 * A completion refused by policy, with the blocking policies that are not approved yet (from the pull request's
 * policy evaluations) after the service's own message, which names none.
 */
async function withUnmetPolicies(
  client: AzureDevOpsClient,
  i: z.output<typeof PullRequestRef>,
  pr: GitPullRequest,
  refused: AzureDevOpsFactoryError,
): Promise<AzureDevOpsFactoryError> {
  const artifactId = `vstfs:///CodeReview/CodeReviewId/${pr.repository?.project?.id}/${i.pullRequestId}`;
  const evaluations = await (await client.getPolicyApi())
    .getPolicyEvaluations(i.project, artifactId)
    .catch(() => []);
  const unmet = evaluations
    .filter((e) => e.configuration?.isBlocking && e.status !== PolicyEvaluationStatus.Approved)
    .map((e) => {
      const name = e.configuration?.type?.displayName ?? e.configuration?.type?.id ?? "policy";
      const shown = e.configuration?.settings?.displayName;
      return shown ? `${name} (${shown})` : name;
    });
  if (unmet.length === 0) return refused;
  return new AzureDevOpsFactoryError(
    refused.operation,
    refused.resource,
    refused.status,
    `${refused.serviceMessage} (not met: ${unmet.join("; ")})`,
    refused.typeKey,
  );
}

export const pullRequestOperations = {
  repos_create_pull_request: operation({
    name: "repos_create_pull_request",
    summary:
      "Open a pull request from a branch into another (the way into a protected branch); an open one for the same branches is returned as is",
    write: true,
    input: z.object({
      project: ProjectName,
      repo: z.string().min(1).max(64).describe("the Git repository's name or id, e.g. acme-app"),
      sourceBranch: Branch.describe("the branch with the changes, e.g. feature/signup"),
      targetBranch: Branch.default("main").describe("the branch to merge into, e.g. main"),
      title: z.string().min(1).max(400).describe("the pull request's title"),
      description: z.string().max(4000).default("").describe("what the change does and why (markdown)"),
    }),
    resource: (i) => `${i.project}/${i.repo}:${i.sourceBranch}->${i.targetBranch}`,
    run: async (client, i) => {
      const git = await client.getGitApi();
      const [sourceRefName, targetRefName] = [`refs/heads/${i.sourceBranch}`, `refs/heads/${i.targetBranch}`];
      const open = await git.getPullRequests(
        i.repo,
        { sourceRefName, targetRefName, status: PullRequestStatus.Active },
        i.project,
      );
      if (open?.[0]) return { ...toInfo(open[0]), created: false };
      const created = await git.createPullRequest(
        { sourceRefName, targetRefName, title: i.title, description: i.description },
        i.repo,
        i.project,
      );
      if (!created) throw repoNotFound("repos_create_pull_request", `${i.project}/${i.repo}`, i.repo);
      return { ...toInfo(created), created: true };
    },
  }),

  repos_get_pull_request: operation({
    name: "repos_get_pull_request",
    summary: "Read a pull request: its branches, status, reviewers' votes and merge result",
    write: false,
    input: PullRequestRef,
    resource: (i) => `${i.project}/${i.repo}!${i.pullRequestId}`,
    run: async (client, i) => toInfo(await requirePullRequest(client, i, "repos_get_pull_request")),
  }),

  repos_approve_pull_request: operation({
    name: "repos_approve_pull_request",
    summary: "Approve a pull request as the calling identity (a vote of 10)",
    write: true,
    input: PullRequestRef,
    resource: (i) => `${i.project}/${i.repo}!${i.pullRequestId}`,
    run: async (client, i) => {
      const me = (await client.connect()).authenticatedUser?.id;
      if (!me)
        throw new AzureDevOpsFactoryError(
          "repos_approve_pull_request",
          `${i.project}/${i.repo}!${i.pullRequestId}`,
          401,
          "the service did not say who the caller is",
          undefined,
        );
      await requirePullRequest(client, i, "repos_approve_pull_request");
      const vote = await (await client.getGitApi()).createPullRequestReviewer(
        { vote: 10 },
        i.repo,
        i.pullRequestId,
        me,
        i.project,
      );
      return { pullRequestId: i.pullRequestId, reviewer: vote.uniqueName ?? me, vote: vote.vote ?? 10 };
    },
  }),

  repos_complete_pull_request: operation({
    name: "repos_complete_pull_request",
    summary:
      "Complete (merge) a pull request; refused with the service's reason while the target branch's policies are not met",
    write: true,
    input: PullRequestRef.extend({
      mergeStrategy: z
        .enum(["noFastForward", "squash"])
        .default("noFastForward")
        .describe("a merge commit, or the changes squashed into one commit"),
      deleteSourceBranch: z
        .boolean()
        .default(false)
        .describe("whether to delete the source branch afterwards"),
    }),
    resource: (i) => `${i.project}/${i.repo}!${i.pullRequestId}`,
    run: async (client, i): Promise<PullRequestInfo> => {
      const op = "repos_complete_pull_request";
      const pr = await requirePullRequest(client, i, op);
      if (pr.status === PullRequestStatus.Completed) return toInfo(pr);
      const git = await client.getGitApi();
      const updated = await git
        .updatePullRequest(
          {
            status: PullRequestStatus.Completed,
            lastMergeSourceCommit: pr.lastMergeSourceCommit,
            completionOptions: {
              mergeStrategy:
                i.mergeStrategy === "squash"
                  ? GitPullRequestMergeStrategy.Squash
                  : GitPullRequestMergeStrategy.NoFastForward,
              deleteSourceBranch: i.deleteSourceBranch,
            },
          },
          i.repo,
          i.pullRequestId,
          i.project,
        )
        .catch(async (error: unknown) => {
          const refused = asAzureDevOpsError(op, `${i.project}/${i.repo}!${i.pullRequestId}`, error);
          if (
            refused instanceof AzureDevOpsFactoryError &&
            refused.typeKey === "GitPullRequestUpdateRejectedByPolicyException"
          )
            throw await withUnmetPolicies(client, i, pr, refused);
          throw refused;
        });
      const done = await settled(client, i, updated);
      if (done.status !== PullRequestStatus.Completed)
        throw new AzureDevOpsFactoryError(
          op,
          `${i.project}/${i.repo}!${i.pullRequestId}`,
          409,
          done.mergeFailureMessage ?? `the merge did not complete (${toInfo(done).mergeStatus})`,
          undefined,
        );
      return toInfo(done);
    },
  }),
};
