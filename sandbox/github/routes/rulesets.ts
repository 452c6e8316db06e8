import type { Context } from "hono";
import { Hono } from "hono";
import type { Objects } from "../../store.ts";
import { repoFor, type SandboxEnv } from "../auth.ts";
import { notFound, validationFailed } from "../errors.ts";
import { apiOf, nodeId } from "../json.ts";
import { type Repo, underRepo } from "../model.ts";
import { assertWritable } from "./repos.ts";

type Body = Record<string, unknown>;

/** A repository ruleset as stored: GitHub's own shape for conditions and rules. */
export interface StoredRuleset {
  id: number;
  name: string;
  target: "branch" | "tag" | "push";
  enforcement: "disabled" | "active" | "evaluate";
  bypassActors: unknown[];
  conditions: { ref_name?: { include?: string[]; exclude?: string[] } } | null;
  rules: { type: string; parameters?: Record<string, unknown> }[];
  createdAt: string;
  updatedAt: string;
}

const RULE_TYPES = new Set([
  "creation",
  "update",
  "deletion",
  "required_linear_history",
  "required_signatures",
  "pull_request",
  "required_status_checks",
  "non_fast_forward",
]);

/** An fnmatch-style ref glob as a regular expression: `**` crosses slashes, `*` does not. */
const globToRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .split("**")
      .map((part) => part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*"))
      .join(".*")}$`,
  );

/** Does a ref-name condition pick this branch? (`~DEFAULT_BRANCH`, `~ALL`, fnmatch globs on refs/heads/…) */
function targets(ruleset: StoredRuleset, repo: Repo, branch: string): boolean {
  const ref = `refs/heads/${branch}`;
  const matches = (pattern: string) =>
    pattern === "~ALL" ||
    (pattern === "~DEFAULT_BRANCH" && branch === repo.defaultBranch) ||
    globToRegExp(pattern.startsWith("refs/") ? pattern : `refs/heads/${pattern}`).test(ref);
  const condition = ruleset.conditions?.ref_name;
  return (condition?.include ?? []).some(matches) && !(condition?.exclude ?? []).some(matches);
}

/** The active branch rulesets that apply to `branch`. */
export async function rulesetsFor(objects: Objects, repo: Repo, branch: string): Promise<StoredRuleset[]> {
  const all = await objects.list<StoredRuleset>("ruleset", underRepo(repo));
  return all.filter((r) => r.enforcement === "active" && r.target === "branch" && targets(r, repo, branch));
}

function parse(body: Body, existing?: StoredRuleset): Omit<StoredRuleset, "id" | "createdAt" | "updatedAt"> {
  const name = body.name ?? existing?.name;
  if (typeof name !== "string" || name.trim() === "")
    throw validationFailed([{ resource: "Ruleset", field: "name", code: "missing_field" }]);
  const enforcement = body.enforcement ?? existing?.enforcement;
  if (!["disabled", "active", "evaluate"].includes(String(enforcement)))
    throw validationFailed([{ resource: "Ruleset", field: "enforcement", code: "invalid" }]);
  const rules = (body.rules ?? existing?.rules ?? []) as StoredRuleset["rules"];
  if (!Array.isArray(rules) || rules.some((r) => !RULE_TYPES.has(r?.type)))
    throw validationFailed([{ resource: "Ruleset", field: "rules", code: "invalid" }]);
  return {
    name,
    target: (body.target ?? existing?.target ?? "branch") as StoredRuleset["target"],
    enforcement: enforcement as StoredRuleset["enforcement"],
    bypassActors: (body.bypass_actors ?? existing?.bypassActors ?? []) as unknown[],
    conditions: (body.conditions ?? existing?.conditions ?? null) as StoredRuleset["conditions"],
    rules,
  };
}

function rulesetJson(api: string, repo: Repo, r: StoredRuleset) {
  const self = `${api}/repos/${repo.owner}/${repo.name}/rulesets/${r.id}`;
  return {
    id: r.id,
    name: r.name,
    target: r.target,
    source_type: "Repository",
    source: `${repo.owner}/${repo.name}`,
    enforcement: r.enforcement,
    bypass_actors: r.bypassActors,
    current_user_can_bypass: "never",
    node_id: nodeId("RepositoryRuleset", r.id),
    _links: { self: { href: self }, html: { href: `${api}/${repo.owner}/${repo.name}/rules/${r.id}` } },
    conditions: r.conditions,
    rules: r.rules,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

/** Repository rulesets: create, list, get, update, delete. Active branch rules are enforced like protection. */
export function rulesetRoutes(): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();
  const one = async (c: Context<SandboxEnv>, repo: Repo) => {
    const found = await c
      .get("objects")
      .get<StoredRuleset>("ruleset", underRepo(repo, c.req.param("id") ?? ""));
    if (!found) throw notFound();
    return found;
  };
  const stamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

  app.post("/repos/:owner/:repo/rulesets", async (c) => {
    const { repo } = await repoFor(c, ["administration", "write"]);
    assertWritable(repo);
    const objects = c.get("objects");
    const fields = parse((await c.req.json().catch(() => ({}))) as Body);
    const existing = await objects.list<StoredRuleset>("ruleset", underRepo(repo));
    if (existing.some((r) => r.name === fields.name))
      throw validationFailed([
        { resource: "Ruleset", field: "name", code: "already_exists", message: "Name must be unique" },
      ]);
    const id = await objects.nextId();
    const ruleset: StoredRuleset = { ...fields, id, createdAt: stamp(), updatedAt: stamp() };
    await objects.put("ruleset", underRepo(repo, String(id)), ruleset);
    return c.json(rulesetJson(apiOf(c), repo, ruleset), 201);
  });

  app.get("/repos/:owner/:repo/rulesets", async (c) => {
    const { repo } = await repoFor(c, ["metadata", "read"]);
    const all = await c.get("objects").list<StoredRuleset>("ruleset", underRepo(repo));
    return c.json(all.map((r) => rulesetJson(apiOf(c), repo, r)));
  });

  app.get("/repos/:owner/:repo/rulesets/:id{[0-9]+}", async (c) => {
    const { repo } = await repoFor(c, ["metadata", "read"]);
    return c.json(rulesetJson(apiOf(c), repo, await one(c, repo)));
  });

  app.put("/repos/:owner/:repo/rulesets/:id{[0-9]+}", async (c) => {
    const { repo } = await repoFor(c, ["administration", "write"]);
    assertWritable(repo);
    const existing = await one(c, repo);
    const ruleset: StoredRuleset = {
      ...existing,
      ...parse((await c.req.json().catch(() => ({}))) as Body, existing),
      updatedAt: stamp(),
    };
    await c.get("objects").put("ruleset", underRepo(repo, String(existing.id)), ruleset);
    return c.json(rulesetJson(apiOf(c), repo, ruleset));
  });

  app.delete("/repos/:owner/:repo/rulesets/:id{[0-9]+}", async (c) => {
    const { repo } = await repoFor(c, ["administration", "write"]);
    const existing = await one(c, repo);
    await c.get("objects").delete("ruleset", underRepo(repo, String(existing.id)));
    return c.body(null, 204);
  });

  return app;
}
