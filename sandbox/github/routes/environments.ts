import { Hono } from "hono";
import { repoFor, type SandboxEnv } from "../auth.ts";
import { GitHubError, notFound, validationFailed } from "../errors.ts";
import { apiOf, nodeId, ownerJson } from "../json.ts";
import { type Repo, type Team, type User, underRepo } from "../model.ts";
import { assertWritable } from "./repos.ts";

type Body = Record<string, unknown>;

interface StoredEnvironment {
  id: number;
  name: string;
  waitTimer: number;
  preventSelfReview: boolean;
  reviewers: { type: "User" | "Team"; id: number; login: string }[];
  branchPolicy: { protected_branches: boolean; custom_branch_policies: boolean } | null;
  createdAt: string;
  updatedAt: string;
}

function environmentJson(api: string, repo: Repo, e: StoredEnvironment) {
  const rules = [
    ...(e.waitTimer > 0
      ? [
          {
            id: e.id * 10 + 1,
            node_id: nodeId("Rule", e.id * 10 + 1),
            type: "wait_timer",
            wait_timer: e.waitTimer,
          },
        ]
      : []),
    ...(e.reviewers.length > 0
      ? [
          {
            id: e.id * 10 + 2,
            node_id: nodeId("Rule", e.id * 10 + 2),
            type: "required_reviewers",
            prevent_self_review: e.preventSelfReview,
            reviewers: e.reviewers.map((r) => ({
              type: r.type,
              reviewer:
                r.type === "User"
                  ? ownerJson(api, { login: r.login, id: r.id }, "User")
                  : { id: r.id, slug: r.login, name: r.login },
            })),
          },
        ]
      : []),
    ...(e.branchPolicy
      ? [{ id: e.id * 10 + 3, node_id: nodeId("Rule", e.id * 10 + 3), type: "branch_policy" }]
      : []),
  ];
  return {
    id: e.id,
    node_id: nodeId("Environment", e.id),
    name: e.name,
    url: `${api}/repos/${repo.owner}/${repo.name}/environments/${encodeURIComponent(e.name)}`,
    html_url: `${api}/${repo.owner}/${repo.name}/deployments/activity_log?environments_filter=${encodeURIComponent(e.name)}`,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
    protection_rules: rules,
    deployment_branch_policy: e.branchPolicy,
  };
}

/** Deployment environments with wait timers, required reviewers (users or teams) and branch policies. */
export function environmentRoutes(): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();
  const path = "/repos/:owner/:repo/environments/:name";

  app.put(path, async (c) => {
    const { repo } = await repoFor(c, ["administration", "write"]);
    assertWritable(repo);
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const name = decodeURIComponent(c.req.param("name") ?? "");
    if (name.length === 0 || name.length > 255)
      throw validationFailed([{ resource: "Environment", field: "name", code: "invalid" }]);
    const waitTimer = body.wait_timer === undefined ? 0 : Number(body.wait_timer);
    if (!Number.isInteger(waitTimer) || waitTimer < 0 || waitTimer > 43_200)
      throw validationFailed([{ resource: "Environment", field: "wait_timer", code: "invalid" }]);
    const requested = Array.isArray(body.reviewers)
      ? (body.reviewers as { type?: string; id?: number }[])
      : [];
    if (requested.length > 6) throw new GitHubError(422, "Only 6 reviewers are allowed");
    const users = await objects.list<User>("user");
    const teams = await objects.list<Team>("team", `${repo.owner.toLowerCase()}/`);
    const reviewers = requested.map((r, i) => {
      const found = r.type === "Team" ? teams.find((t) => t.id === r.id) : users.find((u) => u.id === r.id);
      if (!found)
        throw validationFailed([{ resource: "Environment", field: `reviewers[${i}].id`, code: "invalid" }]);
      return {
        type: r.type === "Team" ? ("Team" as const) : ("User" as const),
        id: found.id,
        login: "login" in found ? found.login : found.slug,
      };
    });
    const policy = body.deployment_branch_policy as StoredEnvironment["branchPolicy"] | undefined;
    if (policy && policy.protected_branches === policy.custom_branch_policies)
      throw new GitHubError(422, "Exactly one of protected_branches or custom_branch_policies must be true");
    const key = underRepo(repo, name.toLowerCase());
    const existing = await objects.get<StoredEnvironment>("environment", key);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const environment: StoredEnvironment = {
      id: existing?.id ?? (await objects.nextId()),
      name,
      waitTimer,
      preventSelfReview: body.prevent_self_review === true,
      reviewers,
      branchPolicy: policy ?? null,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await objects.put("environment", key, environment);
    return c.json(environmentJson(apiOf(c), repo, environment));
  });

  app.get(path, async (c) => {
    const { repo } = await repoFor(c, ["environments", "read"]);
    const found = await c
      .get("objects")
      .get<StoredEnvironment>(
        "environment",
        underRepo(repo, decodeURIComponent(c.req.param("name") ?? "").toLowerCase()),
      );
    if (!found) throw notFound();
    return c.json(environmentJson(apiOf(c), repo, found));
  });

  app.get("/repos/:owner/:repo/environments", async (c) => {
    const { repo } = await repoFor(c, ["environments", "read"]);
    const all = await c.get("objects").list<StoredEnvironment>("environment", underRepo(repo));
    return c.json({
      total_count: all.length,
      environments: all.map((e) => environmentJson(apiOf(c), repo, e)),
    });
  });

  app.delete(path, async (c) => {
    const { repo } = await repoFor(c, ["administration", "write"]);
    if (
      !(await c
        .get("objects")
        .delete("environment", underRepo(repo, decodeURIComponent(c.req.param("name") ?? "").toLowerCase())))
    )
      throw notFound();
    return c.body(null, 204);
  });

  return app;
}
