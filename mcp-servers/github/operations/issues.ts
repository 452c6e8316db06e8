import { z } from "zod";
import type { GitHubClient } from "../client.ts";
import { hasStatus, operation } from "../operation.ts";
import { Org, RepoName, RepoRef, repoResource } from "./fields.ts";

const Number_ = z.number().int().positive().describe("the issue or pull request number");
const LabelName = z.string().min(1).max(50).describe("a label name");

export interface IssueInfo {
  number: number;
  title: string;
  /** Provider text, untrusted: whoever opened the issue wrote it. */
  body: string | null;
  state: string;
  labels: string[];
  author: string;
  isPullRequest: boolean;
}

type IssueJson = Awaited<ReturnType<GitHubClient["rest"]["issues"]["get"]>>["data"];
const toIssue = (i: IssueJson): IssueInfo => ({
  number: i.number,
  title: i.title,
  body: i.body ?? null,
  state: i.state,
  labels: i.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
  author: i.user?.login ?? "",
  isPullRequest: i.pull_request !== undefined,
});

export const issueOperations = {
  issues_create_issue: operation({
    name: "issues_create_issue",
    summary: "Open an issue (the startup's backlog, a remediation task)",
    write: true,
    input: z.object({
      owner: Org,
      repo: RepoName,
      title: z.string().min(1).max(256).describe("a short summary"),
      body: z.string().max(65_536).optional().describe("the details, in Markdown"),
      labels: z.array(LabelName).default([]).describe("labels to put on it (they must exist)"),
    }),
    resource: repoResource,
    run: async (client, i) =>
      toIssue(
        (
          await client.rest.issues.create({
            owner: i.owner,
            repo: i.repo,
            title: i.title,
            labels: i.labels,
            ...(i.body !== undefined ? { body: i.body } : {}),
          })
        ).data,
      ),
  }),

  issues_get_issue: operation({
    name: "issues_get_issue",
    summary: "Read an issue",
    write: false,
    input: RepoRef.extend({ number: Number_ }),
    resource: (i) => `${repoResource(i)}#${i.number}`,
    run: async (client, i) =>
      toIssue((await client.rest.issues.get({ owner: i.owner, repo: i.repo, issue_number: i.number })).data),
  }),

  issues_list_issues: operation({
    name: "issues_list_issues",
    summary: "List issues (not pull requests), newest first",
    write: false,
    input: RepoRef.extend({
      state: z.enum(["open", "closed", "all"]).default("open").describe("which issues, by state"),
      labels: z.array(LabelName).default([]).describe("only issues with all of these labels"),
    }),
    resource: repoResource,
    run: async (client, i) =>
      (
        await client.paginate(client.rest.issues.listForRepo, {
          owner: i.owner,
          repo: i.repo,
          state: i.state,
          per_page: 100,
          ...(i.labels.length > 0 ? { labels: i.labels.join(",") } : {}),
        })
      )
        .map(toIssue)
        .filter((issue) => !issue.isPullRequest),
  }),

  issues_update_issue: operation({
    name: "issues_update_issue",
    summary: "Change an issue's title, body, labels or state (close it as completed or not planned)",
    write: true,
    input: RepoRef.extend({
      number: Number_,
      title: z.string().min(1).max(256).optional().describe("the new title"),
      body: z.string().max(65_536).optional().describe("the new body, in Markdown (replaces the old one)"),
      labels: z.array(LabelName).optional().describe("the full new set of labels"),
      state: z.enum(["open", "closed"]).optional().describe("open or close it"),
      stateReason: z
        .enum(["completed", "not_planned"])
        .optional()
        .describe("why it was closed, when closing it"),
    }),
    resource: (i) => `${repoResource(i)}#${i.number}`,
    run: async (client, i) =>
      toIssue(
        (
          await client.rest.issues.update({
            owner: i.owner,
            repo: i.repo,
            issue_number: i.number,
            ...(i.title !== undefined ? { title: i.title } : {}),
            ...(i.body !== undefined ? { body: i.body } : {}),
            ...(i.labels !== undefined ? { labels: i.labels } : {}),
            ...(i.state !== undefined ? { state: i.state } : {}),
            ...(i.stateReason !== undefined ? { state_reason: i.stateReason } : {}),
          })
        ).data,
      ),
  }),

  issues_set_label: operation({
    name: "issues_set_label",
    summary: "Create a label, or update its colour and description when it exists",
    write: true,
    input: RepoRef.extend({
      name: LabelName,
      color: z
        .string()
        .regex(/^[0-9a-fA-F]{6}$/, "six hex digits, no #")
        .describe("e.g. d73a4a"),
      description: z.string().max(100).optional().describe("what the label means"),
    }),
    resource: (i) => `${repoResource(i)}/labels/${i.name}`,
    run: async (client, i) => {
      const fields = {
        color: i.color.toLowerCase(),
        ...(i.description !== undefined ? { description: i.description } : {}),
      };
      try {
        await client.rest.issues.createLabel({ owner: i.owner, repo: i.repo, name: i.name, ...fields });
        return { name: i.name, created: true };
      } catch (error) {
        if (!hasStatus(error, 422)) throw error;
        await client.rest.issues.updateLabel({ owner: i.owner, repo: i.repo, name: i.name, ...fields });
        return { name: i.name, created: false };
      }
    },
  }),

  issues_list_labels: operation({
    name: "issues_list_labels",
    summary: "List a repository's labels",
    write: false,
    input: RepoRef,
    resource: repoResource,
    run: async (client, i) =>
      (await client.paginate(client.rest.issues.listLabelsForRepo, { ...i, per_page: 100 })).map((l) => ({
        name: l.name,
        color: l.color,
        description: l.description ?? null,
      })),
  }),
};
