import type { Context } from "hono";
import { Hono } from "hono";
import { getRef } from "../../git.ts";
import { repoFor, type SandboxEnv } from "../auth.ts";
import { GitHubError, validationFailed } from "../errors.ts";
import { apiOf } from "../json.ts";
import { type Repo, underRepo } from "../model.ts";
import { getProtection, type StoredProtection } from "./ref-guard.ts";
import { assertWritable } from "./repos.ts";

type Body = Record<string, unknown>;
const REQUIRED = [
  "required_status_checks",
  "enforce_admins",
  "required_pull_request_reviews",
  "restrictions",
];

function parse(body: Body): StoredProtection {
  const missing = REQUIRED.filter((k) => !(k in body));
  if (missing.length > 0)
    throw validationFailed(
      missing.map((field) => ({ resource: "Protection", field, code: "missing_field" as const })),
      `Invalid request.\n\n${missing.map((m) => `"${m}" wasn't supplied.`).join(" ")}`,
    );
  const checks = body.required_status_checks as {
    strict?: boolean;
    contexts?: string[];
    checks?: { context: string }[];
  } | null;
  const reviews = body.required_pull_request_reviews as {
    required_approving_review_count?: number;
    dismiss_stale_reviews?: boolean;
    require_code_owner_reviews?: boolean;
  } | null;
  const count = reviews?.required_approving_review_count ?? 1;
  if (reviews && (!Number.isInteger(count) || count < 0 || count > 6))
    throw validationFailed([
      { resource: "Protection", field: "required_approving_review_count", code: "invalid" },
    ]);
  const flag = (key: string) => body[key] === true;
  return {
    requiredReviews: reviews ? count : null,
    requiredStatusChecks: checks
      ? [...(checks.contexts ?? []), ...(checks.checks ?? []).map((c) => c.context)]
      : null,
    strict: checks?.strict === true,
    enforceAdmins: body.enforce_admins === true,
    allowForcePushes: flag("allow_force_pushes"),
    allowDeletions: flag("allow_deletions"),
    requireCodeOwnerReviews: reviews?.require_code_owner_reviews === true,
    dismissStaleReviews: reviews?.dismiss_stale_reviews === true,
    requiredLinearHistory: flag("required_linear_history"),
    requiredConversationResolution: flag("required_conversation_resolution"),
  };
}

function protectionJson(api: string, repo: Repo, branch: string, p: StoredProtection) {
  const url = `${api}/repos/${repo.owner}/${repo.name}/branches/${branch}/protection`;
  const enabled = (value: boolean) => ({ enabled: value });
  return {
    url,
    ...(p.requiredStatusChecks
      ? {
          required_status_checks: {
            url: `${url}/required_status_checks`,
            strict: p.strict,
            contexts: p.requiredStatusChecks,
            checks: p.requiredStatusChecks.map((context) => ({ context, app_id: null })),
            contexts_url: `${url}/required_status_checks/contexts`,
          },
        }
      : {}),
    ...(p.requiredReviews !== null
      ? {
          required_pull_request_reviews: {
            url: `${url}/required_pull_request_reviews`,
            dismiss_stale_reviews: p.dismissStaleReviews,
            require_code_owner_reviews: p.requireCodeOwnerReviews,
            required_approving_review_count: p.requiredReviews,
            require_last_push_approval: false,
          },
        }
      : {}),
    required_signatures: { url: `${url}/required_signatures`, enabled: false },
    enforce_admins: { url: `${url}/enforce_admins`, enabled: p.enforceAdmins },
    required_linear_history: enabled(p.requiredLinearHistory),
    allow_force_pushes: enabled(p.allowForcePushes),
    allow_deletions: enabled(p.allowDeletions),
    block_creations: enabled(false),
    required_conversation_resolution: enabled(p.requiredConversationResolution),
    lock_branch: enabled(false),
    allow_fork_syncing: enabled(false),
  };
}

/** Branch protection: put, get, delete. Enforced on ref updates and the contents API (see ref-guard). */
export function protectionRoutes(): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();
  const path = "/repos/:owner/:repo/branches/:branch{.+}/protection";
  const branchOf = async (c: Context<SandboxEnv>, repo: Repo) => {
    const branch = c.req.param("branch") ?? "";
    if (!(await getRef(c.get("objects"), repo, `refs/heads/${branch}`)))
      throw new GitHubError(404, "Branch not found");
    return branch;
  };

  app.put(path, async (c) => {
    const { repo } = await repoFor(c, ["administration", "write"]);
    assertWritable(repo);
    const branch = await branchOf(c, repo);
    const protection = parse((await c.req.json().catch(() => ({}))) as Body);
    await c.get("objects").put("protection", underRepo(repo, branch), protection);
    return c.json(protectionJson(apiOf(c), repo, branch, protection));
  });

  app.get(path, async (c) => {
    const { repo } = await repoFor(c, ["administration", "read"]);
    const branch = await branchOf(c, repo);
    const protection = await getProtection(c.get("objects"), repo, branch);
    if (!protection) throw new GitHubError(404, "Branch not protected");
    return c.json(protectionJson(apiOf(c), repo, branch, protection));
  });

  app.delete(path, async (c) => {
    const { repo } = await repoFor(c, ["administration", "write"]);
    assertWritable(repo);
    const branch = await branchOf(c, repo);
    if (!(await c.get("objects").delete("protection", underRepo(repo, branch))))
      throw new GitHubError(404, "Branch not protected");
    return c.body(null, 204);
  });

  return app;
}
