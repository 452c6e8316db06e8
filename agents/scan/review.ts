import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { callTool, ToolCallFailed } from "../call-tool.ts";
import { scanCode } from "./code.ts";
import { scanDependencies } from "./dependencies.ts";
import type { Finding, ScannedFile } from "./finding.ts";
import type { ScanningPolicy } from "./policy.ts";
import { scanSecrets } from "./secrets.ts";

/** One pull request's review: what the scans found, which findings block it, and what was done about it. */
export interface PullReview {
  repo: string;
  number: number;
  findings: Finding[];
  blocking: Finding[];
  /** The remediation issue opened for a blocked pull request. */
  issue?: number;
}

const UNTRUSTED = /^<untrusted-([0-9a-f]+)>([\s\S]*)<\/untrusted-\1>$/;
/** A file's text as the gate spotlighted it, unwrapped: the scanners read it as data, never a model. */
const unwrap = (text: string) => UNTRUSTED.exec(text)?.[2] ?? text;

export function blocks(finding: Finding, policy: ScanningPolicy): boolean {
  switch (finding.scanner) {
    case "secretlint":
      return policy.block.secrets;
    case "eslint-plugin-security":
      return policy.block.eslint_rules.includes(finding.rule);
    case "dependencies":
      return policy.block.dependencies;
  }
}

/** The commit status a blocked pull request fails; protection can require it. */
export const SCAN_CHECK = "security/scan";

const describe = (f: Finding) => `- \`${f.file}:${f.line}\` ${f.scanner} ${f.rule}: ${f.message}`;

/** The files a pull request changes: on its head branch, with a blob different from (or absent on) its base. */
async function changedFiles(
  github: Client,
  repo: { owner: string; repo: string },
  head: string,
  base: string,
) {
  const list = async (branch: string) =>
    (
      await callTool<{ items: { path: string; sha: string }[] }>(github, "contents_list_files", {
        ...repo,
        branch,
      })
    ).items;
  const before = new Map((await list(base)).map((f) => [f.path, f.sha]));
  const changed = (await list(head)).filter((f) => before.get(f.path) !== f.sha);
  const files: ScannedFile[] = [];
  for (const f of changed) {
    const file = await callTool<{ text: string }>(github, "contents_get_file", {
      ...repo,
      path: f.path,
      ref: head,
    });
    files.push({ path: f.path, text: unwrap(file.text) });
  }
  return files;
}

/**
 * Scans every open pull request of `repos` (secretlint, eslint-plugin-security, the dependency deny list) with
 * the sec agent's own grant. By the blocking rules in policy, a pull request that must not merge gets a
 * failing `security/scan` check on its head, a review requesting changes, and a remediation issue; a clean one
 * a passing check. No secret is written anywhere: findings name file, line and rule.
 */
export async function reviewPullRequests(
  github: Client | undefined,
  repos: { owner: string; repo: string }[],
  policy: ScanningPolicy,
): Promise<PullReview[]> {
  const reviews: PullReview[] = [];
  if (!github) return reviews;
  for (const repo of repos) {
    const pulls = await callTool<{
      items: { number: number; head: string; headSha: string; base: string; title: string }[];
    }>(github, "pulls_list_pull_requests", { ...repo, state: "open" });
    for (const pull of pulls.items) {
      const files = await changedFiles(github, repo, pull.head, pull.base);
      const findings = [
        ...(await scanSecrets(files)),
        ...scanCode(files),
        ...scanDependencies(files, policy),
      ];
      const blocking = findings.filter((f) => blocks(f, policy));
      const review: PullReview = {
        repo: `${repo.owner}/${repo.repo}`,
        number: pull.number,
        findings,
        blocking,
      };
      const status = (state: "success" | "failure", description: string) =>
        callTool(github, "checks_set_commit_status", {
          ...repo,
          sha: pull.headSha,
          state,
          context: SCAN_CHECK,
          description,
        });
      if (blocking.length === 0) {
        await status("success", `${findings.length} findings, none blocking`);
      } else {
        const body = `Blocked by the security scan (policies/scanning.yaml):\n\n${blocking.map(describe).join("\n")}`;
        await status("failure", `${blocking.length} blocking findings`);
        try {
          await callTool(github, "pulls_create_review", {
            ...repo,
            number: pull.number,
            event: "REQUEST_CHANGES",
            body,
          });
        } catch (error) {
          // GitHub refuses a request for changes on the reviewer's own pull request (one App for the whole
          // team); the failing check blocks the merge all the same, and the review says why.
          if (!(error instanceof ToolCallFailed)) throw error;
          await callTool(github, "pulls_create_review", {
            ...repo,
            number: pull.number,
            event: "COMMENT",
            body,
          });
        }
        const issue = await callTool<{ status: string; result?: { number: number } }>(
          github,
          "issues_create_issue",
          {
            ...repo,
            title: `Security: fix ${blocking.length} finding${blocking.length > 1 ? "s" : ""} in pull request #${pull.number}`,
            body: `Pull request #${pull.number} (${pull.title}) must not merge until these are fixed. Rotate any credential that was committed.\n\n${blocking.map(describe).join("\n")}`,
          },
        );
        if (issue.result) review.issue = issue.result.number;
      }
      reviews.push(review);
    }
  }
  return reviews;
}
