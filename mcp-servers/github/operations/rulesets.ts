import { z } from "zod";
import type { GitHubClient } from "../client.ts";
import { hasStatus, operation } from "../operation.ts";
import { RepoRef, repoResource } from "./fields.ts";

export const RulesetSettings = z.object({
  enforcement: z
    .enum(["active", "evaluate", "disabled"])
    .default("active")
    .describe("evaluate reports without blocking"),
  branches: z
    .array(z.string().min(1))
    .min(1)
    .default(["~DEFAULT_BRANCH"])
    .describe("branch name patterns it applies to; ~DEFAULT_BRANCH and ~ALL are special"),
  exclude: z.array(z.string().min(1)).default([]).describe("branch name patterns it does not apply to"),
  requiredReviews: z
    .number()
    .int()
    .min(0)
    .max(10)
    .optional()
    .describe("approvals a pull request needs; omit to not require pull requests"),
  requiredStatusChecks: z
    .array(z.string().min(1))
    .default([])
    .describe("checks that must pass before merging"),
  blockForcePushes: z.boolean().default(true).describe("refuse force pushes"),
  blockDeletion: z.boolean().default(true).describe("refuse deleting the branches"),
  requireLinearHistory: z.boolean().default(false).describe("refuse merge commits: history stays linear"),
});
type RulesetSettings = z.output<typeof RulesetSettings>;

/** The settings as GitHub's ruleset rules. */
function rulesOf(s: RulesetSettings) {
  return [
    ...(s.blockForcePushes ? [{ type: "non_fast_forward" as const }] : []),
    ...(s.blockDeletion ? [{ type: "deletion" as const }] : []),
    ...(s.requireLinearHistory ? [{ type: "required_linear_history" as const }] : []),
    ...(s.requiredReviews !== undefined
      ? [
          {
            type: "pull_request" as const,
            parameters: {
              required_approving_review_count: s.requiredReviews,
              dismiss_stale_reviews_on_push: true,
              require_code_owner_review: false,
              require_last_push_approval: false,
              required_review_thread_resolution: false,
            },
          },
        ]
      : []),
    ...(s.requiredStatusChecks.length > 0
      ? [
          {
            type: "required_status_checks" as const,
            parameters: {
              required_status_checks: s.requiredStatusChecks.map((context) => ({ context })),
              strict_required_status_checks_policy: false,
            },
          },
        ]
      : []),
  ];
}

async function findByName(client: GitHubClient, owner: string, repo: string, name: string) {
  const all = (await client.rest.repos.getRepoRulesets({ owner, repo, per_page: 100 })).data;
  return all.find((r) => r.name === name);
}

export const rulesetOperations = {
  protection_set_ruleset: operation({
    name: "protection_set_ruleset",
    summary:
      "Create or update a repository ruleset (by name): pull requests, checks, no force pushes or deletion",
    write: true,
    input: RepoRef.extend({
      name: z.string().min(1).max(100).describe("the ruleset's name, unique in the repository"),
    }).extend(RulesetSettings.shape),
    resource: (i) => `${repoResource(i)}/rulesets/${i.name}`,
    run: async (client, { owner, repo, name, ...settings }) => {
      const body = {
        owner,
        repo,
        name,
        target: "branch" as const,
        enforcement: settings.enforcement,
        conditions: { ref_name: { include: settings.branches, exclude: settings.exclude } },
        rules: rulesOf(settings),
      };
      const existing = await findByName(client, owner, repo, name);
      const { data } = existing
        ? await client.rest.repos.updateRepoRuleset({ ...body, ruleset_id: existing.id })
        : await client.rest.repos.createRepoRuleset(body);
      return {
        id: data.id,
        name: data.name,
        created: !existing,
        rules: (data.rules ?? []).map((r) => r.type),
      };
    },
  }),

  protection_list_rulesets: operation({
    name: "protection_list_rulesets",
    summary: "List a repository's rulesets",
    write: false,
    input: RepoRef,
    resource: repoResource,
    run: async (client, i) =>
      (await client.rest.repos.getRepoRulesets({ ...i, per_page: 100 })).data.map((r) => ({
        id: r.id,
        name: r.name,
        enforcement: r.enforcement,
      })),
  }),

  protection_delete_ruleset: operation({
    name: "protection_delete_ruleset",
    summary: "Delete a repository ruleset by name; one already gone is left alone",
    write: true,
    input: RepoRef.extend({ name: z.string().min(1).describe("the ruleset's name") }),
    resource: (i) => `${repoResource(i)}/rulesets/${i.name}`,
    run: async (client, i) => {
      const existing = await findByName(client, i.owner, i.repo, i.name);
      if (!existing) return { name: i.name, deleted: false };
      try {
        await client.rest.repos.deleteRepoRuleset({ owner: i.owner, repo: i.repo, ruleset_id: existing.id });
      } catch (error) {
        if (!hasStatus(error, 404)) throw error;
      }
      return { name: i.name, deleted: true };
    },
  }),
};
