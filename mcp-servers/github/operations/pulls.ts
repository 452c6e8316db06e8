import { z } from "zod";
import { operation } from "../operation.ts";
import { Branch, RepoRef, repoResource } from "./fields.ts";

const Number_ = z.number().int().positive().describe("the pull request number");

export interface PullInfo {
  number: number;
  title: string;
  /** Provider text, untrusted. */
  body: string | null;
  state: string;
  head: string;
  base: string;
  headSha: string;
  merged: boolean;
  author: string;
  draft: boolean;
}

/** The fields of GitHub's pull request object the factory reads (full and listed shapes both carry them). */
interface PullJson {
  number: number;
  title: string;
  body: string | null;
  state: string;
  head: { ref: string; sha: string };
  base: { ref: string };
  user: { login: string } | null;
  merged?: boolean;
  merged_at?: string | null;
  draft?: boolean;
}

const toPull = (p: PullJson): PullInfo => ({
  number: p.number,
  title: p.title,
  body: p.body ?? null,
  state: p.state,
  head: p.head.ref,
  base: p.base.ref,
  headSha: p.head.sha,
  merged: p.merged ?? p.merged_at != null,
  author: p.user?.login ?? "",
  draft: p.draft ?? false,
});

export const pullOperations = {
  pulls_create_pull_request: operation({
    name: "pulls_create_pull_request",
    summary: "Open a pull request from a branch into another (the way changes reach a protected branch)",
    write: true,
    input: RepoRef.extend({
      title: z.string().min(1).max(256).describe("a short summary of the change"),
      head: Branch.describe("the branch with the changes"),
      base: Branch.describe("the branch to merge into, e.g. main"),
      body: z.string().max(65_536).optional().describe("what changed and why, in Markdown"),
      draft: z.boolean().default(false).describe("open it as a draft, not yet ready for review"),
    }),
    resource: (i) => `${repoResource(i)}:${i.head}->${i.base}`,
    run: async (client, i) =>
      toPull(
        (
          await client.rest.pulls.create({
            owner: i.owner,
            repo: i.repo,
            title: i.title,
            head: i.head,
            base: i.base,
            draft: i.draft,
            ...(i.body !== undefined ? { body: i.body } : {}),
          })
        ).data,
      ),
  }),

  pulls_get_pull_request: operation({
    name: "pulls_get_pull_request",
    summary: "Read a pull request",
    write: false,
    input: RepoRef.extend({ number: Number_ }),
    resource: (i) => `${repoResource(i)}#${i.number}`,
    run: async (client, i) =>
      toPull((await client.rest.pulls.get({ owner: i.owner, repo: i.repo, pull_number: i.number })).data),
  }),

  pulls_list_pull_requests: operation({
    name: "pulls_list_pull_requests",
    summary: "List pull requests, newest first",
    write: false,
    input: RepoRef.extend({
      state: z.enum(["open", "closed", "all"]).default("open").describe("which pull requests, by state"),
    }),
    resource: repoResource,
    run: async (client, i) =>
      (
        await client.paginate(client.rest.pulls.list, {
          owner: i.owner,
          repo: i.repo,
          state: i.state,
          per_page: 100,
        })
      ).map(toPull),
  }),

  pulls_create_review: operation({
    name: "pulls_create_review",
    summary: "Review a pull request: approve, request changes, or comment",
    write: true,
    input: RepoRef.extend({
      number: Number_,
      event: z.enum(["APPROVE", "REQUEST_CHANGES", "COMMENT"]).describe("the review's verdict"),
      body: z.string().max(65_536).default("").describe("the review comment; required to request changes"),
    }).refine((i) => i.event !== "REQUEST_CHANGES" || i.body.length > 0, {
      message: "say what to change",
      path: ["body"],
    }),
    resource: (i) => `${repoResource(i)}#${i.number}`,
    run: async (client, i) => {
      const { data } = await client.rest.pulls.createReview({
        owner: i.owner,
        repo: i.repo,
        pull_number: i.number,
        event: i.event,
        body: i.body,
      });
      return { id: data.id, state: data.state, author: data.user?.login ?? "" };
    },
  }),

  checks_set_commit_status: operation({
    name: "checks_set_commit_status",
    summary: "Set a commit status: the check a protected branch can require before a pull request merges",
    write: true,
    input: RepoRef.extend({
      sha: z
        .string()
        .regex(/^[0-9a-f]{40}$/, "must be a full commit SHA")
        .describe("the commit, e.g. a pull request's head"),
      state: z.enum(["pending", "success", "failure", "error"]).describe("the check's verdict"),
      context: z.string().min(1).max(100).describe("the check's name, e.g. security/scan"),
      description: z.string().max(140).default("").describe("one line on why"),
    }),
    resource: (i) => `${repoResource(i)}@${i.sha}`,
    run: async (client, i) => {
      const { data } = await client.rest.repos.createCommitStatus({
        owner: i.owner,
        repo: i.repo,
        sha: i.sha,
        state: i.state,
        context: i.context,
        description: i.description,
      });
      return { state: data.state, context: data.context, sha: i.sha };
    },
  }),

  pulls_merge_pull_request: operation({
    name: "pulls_merge_pull_request",
    summary: "Merge a pull request once its reviews and checks allow it",
    write: true,
    input: RepoRef.extend({
      number: Number_,
      method: z
        .enum(["merge", "squash", "rebase"])
        .default("squash")
        .describe("how the commits land on the base"),
      expectedHeadSha: z
        .string()
        .regex(/^[0-9a-f]{40}$/)
        .optional()
        .describe("refuse if the branch moved since this commit"),
    }),
    resource: (i) => `${repoResource(i)}#${i.number}`,
    run: async (client, i) => {
      const { data } = await client.rest.pulls.merge({
        owner: i.owner,
        repo: i.repo,
        pull_number: i.number,
        merge_method: i.method,
        ...(i.expectedHeadSha ? { sha: i.expectedHeadSha } : {}),
      });
      return { merged: data.merged, sha: data.sha };
    },
  }),
};
