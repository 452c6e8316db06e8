import { type CommitObject, flatten, getObject } from "../../git.ts";
import type { Objects } from "../../store.ts";
import { allows } from "../auth.ts";
import { GitHubError } from "../errors.ts";
import { type Repo, type Token, underRepo } from "../model.ts";
import { rulesetsFor } from "./rulesets.ts";

/** A branch's protection as stored: the parts the sandbox enforces. */
export interface StoredProtection {
  requiredReviews: number | null;
  requiredStatusChecks: string[] | null;
  strict: boolean;
  enforceAdmins: boolean;
  allowForcePushes: boolean;
  allowDeletions: boolean;
  requireCodeOwnerReviews: boolean;
  dismissStaleReviews: boolean;
  requiredLinearHistory: boolean;
  requiredConversationResolution: boolean;
}

/** The branch's classic protection, as set through the branch protection API. */
export const getProtection = (objects: Objects, repo: Repo, branch: string) =>
  objects.get<StoredProtection>("protection", underRepo(repo, branch));

/**
 * What binds a branch: its classic protection and every active ruleset that targets it, combined the way
 * GitHub layers them (the strictest of each rule wins). Undefined when nothing protects it.
 */
export async function effectiveProtection(
  objects: Objects,
  repo: Repo,
  branch: string,
): Promise<StoredProtection | undefined> {
  const classic = await getProtection(objects, repo, branch);
  const rulesets = await rulesetsFor(objects, repo, branch);
  if (rulesets.length === 0) return classic;
  const rules = rulesets.flatMap((r) => r.rules);
  const reviews = rules
    .filter((r) => r.type === "pull_request")
    .map((r) => Number(r.parameters?.required_approving_review_count ?? 0));
  const checks = rules
    .filter((r) => r.type === "required_status_checks")
    .flatMap((r) =>
      ((r.parameters?.required_status_checks ?? []) as { context: string }[]).map((c) => c.context),
    );
  const base: StoredProtection = classic ?? {
    requiredReviews: null,
    requiredStatusChecks: null,
    strict: false,
    enforceAdmins: true,
    allowForcePushes: true,
    allowDeletions: true,
    requireCodeOwnerReviews: false,
    dismissStaleReviews: false,
    requiredLinearHistory: false,
    requiredConversationResolution: false,
  };
  return {
    ...base,
    // Rulesets bind everyone without a bypass; the sandbox grants no bypasses.
    enforceAdmins: true,
    requiredReviews:
      reviews.length > 0 ? Math.max(base.requiredReviews ?? 0, ...reviews) : base.requiredReviews,
    requiredStatusChecks:
      checks.length > 0
        ? [...new Set([...(base.requiredStatusChecks ?? []), ...checks])]
        : base.requiredStatusChecks,
    allowForcePushes: base.allowForcePushes && !rules.some((r) => r.type === "non_fast_forward"),
    allowDeletions: base.allowDeletions && !rules.some((r) => r.type === "deletion"),
    requiredLinearHistory:
      base.requiredLinearHistory || rules.some((r) => r.type === "required_linear_history"),
  };
}

async function descends(objects: Objects, repo: Repo, from: string, ancestor: string): Promise<boolean> {
  const queue = [from];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const sha = queue.shift() as string;
    if (sha === ancestor) return true;
    if (seen.has(sha)) continue;
    seen.add(sha);
    const commit = await getObject<CommitObject>(objects, repo, sha, "commit");
    if (commit) queue.push(...commit.parents);
  }
  return false;
}

/** Workflow files that differ between two commits. */
async function changedWorkflows(
  objects: Objects,
  repo: Repo,
  oldSha: string,
  newSha: string,
): Promise<string[]> {
  const filesAt = async (sha: string) => {
    const commit = await getObject<CommitObject>(objects, repo, sha, "commit");
    return commit ? flatten(objects, repo, commit.tree) : new Map<string, { sha: string }>();
  };
  const before = await filesAt(oldSha);
  const after = await filesAt(newSha);
  const paths = new Set(
    [...before.keys(), ...after.keys()].filter((p) => p.startsWith(".github/workflows/")),
  );
  return [...paths].filter((p) => before.get(p)?.sha !== after.get(p)?.sha);
}

/**
 * What GitHub checks before moving a branch: fast-forward unless forced, the `workflows` permission for an
 * App changing workflow files, and the branch's protection (no direct update when reviews are required, no
 * force push unless allowed). Personal tokens of admins bypass protection unless it is enforced for admins.
 */
export async function guardRefUpdate(
  objects: Objects,
  repo: Repo,
  token: Token,
  ref: string,
  oldSha: string | undefined,
  newSha: string,
  force = false,
): Promise<void> {
  if (oldSha === undefined || oldSha === newSha) return;
  const fastForward = await descends(objects, repo, newSha, oldSha);
  if (!fastForward && !force) throw new GitHubError(422, "Update is not a fast forward");
  if (token.kind === "installation" && !allows(token.permissions, "workflows", "write")) {
    const [workflow] = await changedWorkflows(objects, repo, oldSha, newSha);
    if (workflow)
      throw new GitHubError(
        403,
        `refusing to allow a GitHub App to create or update workflow \`${workflow}\` without \`workflows\` permission`,
      );
  }
  if (!ref.startsWith("refs/heads/")) return;
  await guardProtectedBranch(objects, repo, token, ref.slice("refs/heads/".length), {
    force: !fastForward,
    via: "ref",
  });
}

/** Direct writes to a protected branch: refused when reviews are required, and force pushes unless allowed. */
export async function guardProtectedBranch(
  objects: Objects,
  repo: Repo,
  token: Token,
  branch: string,
  options: { force?: boolean; via: "ref" | "contents" | "pull-request" },
): Promise<void> {
  const protection = await effectiveProtection(objects, repo, branch);
  if (!protection) return;
  const bypass = token.kind === "user" && !protection.enforceAdmins;
  if (bypass) return;
  if (options.force && !protection.allowForcePushes)
    throw new GitHubError(422, "Cannot force-push to this branch");
  if (options.via === "pull-request" || protection.requiredReviews === null) return;
  // The two ways GitHub words it: the git refs API and the contents API.
  if (options.via === "ref")
    throw new GitHubError(422, `Protected branch update failed for refs/heads/${branch}.`);
  throw new GitHubError(
    409,
    "Repository rule violations found\n\nChanges must be made through a pull request.",
  );
}
