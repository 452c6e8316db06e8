import { z } from "zod";
import { hasStatus, operation } from "../operation.ts";
import { Branch, Org, RepoName, repoResource } from "./fields.ts";

export const BranchProtection = z.object({
  requiredReviews: z
    .number()
    .int()
    .min(0)
    .max(6)
    .nullable()
    .default(1)
    .describe("approving reviews a pull request needs; null allows direct pushes"),
  requireCodeOwnerReviews: z
    .boolean()
    .default(false)
    .describe("code owners must approve changes to their files"),
  dismissStaleReviews: z.boolean().default(true).describe("new commits dismiss earlier approvals"),
  requiredStatusChecks: z
    .array(z.string().min(1))
    .nullable()
    .default(null)
    .describe("checks that must pass, by name"),
  strictStatusChecks: z.boolean().default(false).describe("the branch must be up to date before merging"),
  enforceAdmins: z.boolean().default(true).describe("the rules bind administrators too"),
  allowForcePushes: z.boolean().default(false).describe("allow force pushes to the branch"),
  allowDeletions: z.boolean().default(false).describe("allow the branch to be deleted"),
  requiredLinearHistory: z.boolean().default(false).describe("refuse merge commits: history stays linear"),
  requiredConversationResolution: z
    .boolean()
    .default(false)
    .describe("every review conversation must be resolved before merging"),
});
export type BranchProtection = z.output<typeof BranchProtection>;

const Target = z.object({ owner: Org, repo: RepoName, branch: Branch });
const resource = (i: z.output<typeof Target>) => `${repoResource(i)}@${i.branch}`;

export const protectionOperations = {
  protection_update_branch_protection: operation({
    name: "protection_update_branch_protection",
    summary: "Protect a branch: required reviews and checks, no force pushes, no deletion",
    write: true,
    input: Target.extend(BranchProtection.shape),
    resource,
    run: async (client, i): Promise<BranchProtection> => {
      await client.rest.repos.updateBranchProtection({
        owner: i.owner,
        repo: i.repo,
        branch: i.branch,
        required_status_checks: i.requiredStatusChecks
          ? { strict: i.strictStatusChecks, contexts: i.requiredStatusChecks }
          : null,
        enforce_admins: i.enforceAdmins,
        required_pull_request_reviews:
          i.requiredReviews === null
            ? null
            : {
                required_approving_review_count: i.requiredReviews,
                require_code_owner_reviews: i.requireCodeOwnerReviews,
                dismiss_stale_reviews: i.dismissStaleReviews,
              },
        restrictions: null,
        allow_force_pushes: i.allowForcePushes,
        allow_deletions: i.allowDeletions,
        required_linear_history: i.requiredLinearHistory,
        required_conversation_resolution: i.requiredConversationResolution,
      });
      const { owner: _o, repo: _r, branch: _b, ...protection } = i;
      return protection;
    },
  }),

  protection_get_branch_protection: operation({
    name: "protection_get_branch_protection",
    summary: "Get a branch's protection, or null when it has none",
    write: false,
    input: Target,
    resource,
    run: async (client, i): Promise<BranchProtection | null> => {
      try {
        const { data } = await client.rest.repos.getBranchProtection(i);
        const reviews = data.required_pull_request_reviews;
        return {
          requiredReviews: reviews ? (reviews.required_approving_review_count ?? 0) : null,
          requireCodeOwnerReviews: reviews?.require_code_owner_reviews ?? false,
          dismissStaleReviews: reviews?.dismiss_stale_reviews ?? false,
          requiredStatusChecks: data.required_status_checks?.contexts ?? null,
          strictStatusChecks: data.required_status_checks?.strict ?? false,
          enforceAdmins: data.enforce_admins?.enabled ?? false,
          allowForcePushes: data.allow_force_pushes?.enabled ?? false,
          allowDeletions: data.allow_deletions?.enabled ?? false,
          requiredLinearHistory: data.required_linear_history?.enabled ?? false,
          requiredConversationResolution: data.required_conversation_resolution?.enabled ?? false,
        };
      } catch (error) {
        if (hasStatus(error, 404)) return null;
        throw error;
      }
    },
  }),

  protection_delete_branch_protection: operation({
    name: "protection_delete_branch_protection",
    summary: "Remove a branch's protection",
    write: true,
    input: Target,
    resource,
    run: async (client, i) => {
      await client.rest.repos.deleteBranchProtection(i);
      return { branch: i.branch, protected: false };
    },
  }),
};
