import type { Objects } from "../../store.ts";
import { allows } from "../auth.ts";
import { GitHubError } from "../errors.ts";
import { type CommitObject, flatten, getObject } from "../git.ts";
import { type Repo, type Token, underRepo } from "../model.ts";

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

export const getProtection = (objects: Objects, repo: Repo, branch: string) =>
  objects.get<StoredProtection>("protection", underRepo(repo, branch));

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
  const protection = await getProtection(objects, repo, branch);
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
