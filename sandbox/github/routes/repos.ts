import { Hono } from "hono";
import { branchHead, flatten, getRef, initialCommit, putCommit, putTree, setRef } from "../../git.ts";
import { allows, canSee, orgFor, repoFor, requireToken, type SandboxEnv } from "../auth.ts";
import { GitHubError, notAccessible, notFound, validationFailed } from "../errors.ts";
import { apiOf, repositoryJson } from "../json.ts";
import { type Org, type Repo, repoKey } from "../model.ts";
import { paginate } from "../paging.ts";
import { newRepo } from "../world.ts";

const NAME = /^[A-Za-z0-9._-]{1,100}$/;

type Body = Record<string, unknown>;

function checkName(name: unknown): string {
  if (typeof name !== "string" || name.length === 0)
    throw validationFailed([{ resource: "Repository", field: "name", code: "missing_field" }]);
  if (!NAME.test(name) || name === "." || name === "..")
    throw validationFailed([
      { resource: "Repository", field: "name", code: "custom", message: "name is invalid" },
    ]);
  return name;
}

const taken = () =>
  validationFailed(
    [
      {
        resource: "Repository",
        field: "name",
        code: "custom",
        message: "name already exists on this account",
      },
    ],
    "Repository creation failed.",
  );

/** Settings a create or update body may carry, mapped onto the stored repository. */
function settings(body: Body): Partial<Repo> {
  const out: Partial<Repo> = {};
  const flag = (key: string, field: keyof Repo) => {
    if (body[key] === undefined) return;
    if (typeof body[key] !== "boolean")
      throw validationFailed([{ resource: "Repository", field: key, code: "invalid" }]);
    (out as Record<string, unknown>)[field] = body[key];
  };
  if (body.description !== undefined)
    out.description = body.description === null ? null : String(body.description);
  flag("private", "private");
  flag("has_issues", "hasIssues");
  flag("has_wiki", "hasWiki");
  flag("has_projects", "hasProjects");
  flag("is_template", "isTemplate");
  flag("allow_squash_merge", "allowSquashMerge");
  flag("allow_merge_commit", "allowMergeCommit");
  flag("allow_rebase_merge", "allowRebaseMerge");
  flag("delete_branch_on_merge", "deleteBranchOnMerge");
  flag("archived", "archived");
  if (body.visibility !== undefined) {
    if (!["public", "private", "internal"].includes(String(body.visibility)))
      throw validationFailed([{ resource: "Repository", field: "visibility", code: "invalid" }]);
    out.visibility = body.visibility as Repo["visibility"];
    out.private = out.visibility !== "public";
  } else if (out.private !== undefined) out.visibility = out.private ? "private" : "public";
  return out;
}

/** A repository's writes are refused once it is archived, as GitHub does. */
export function assertWritable(repo: Repo): void {
  if (repo.archived) throw new GitHubError(403, "Repository was archived so is read-only.");
}

/** Repositories: create in an organisation or from a template, get, list, update settings, archive. */
export function repoRoutes(): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();

  app.post("/orgs/:org/repos", async (c) => {
    const { org } = await orgFor(c, ["administration", "write"]);
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const name = checkName(body.name);
    const objects = c.get("objects");
    const repo = newRepo(await objects.nextId(), org.login, name, settings(body));
    if (!(await objects.create("repo", repoKey(org.login, name), repo))) throw taken();
    if (body.auto_init === true) await initialCommit(objects, repo, { "README.md": `# ${name}\n` });
    return c.json(repositoryJson(apiOf(c), repo, org), 201);
  });

  app.get("/orgs/:org/repos", async (c) => {
    const { org, token } = await orgFor(c, ["metadata", "read"]);
    const repos = (await c.get("objects").list<Repo>("repo", `${org.login.toLowerCase()}/`)).filter((r) =>
      canSee(token, r.owner, r.name),
    );
    return c.json(paginate(c, repos).map((r) => repositoryJson(apiOf(c), r, org)));
  });

  app.post("/repos/:owner/:repo/generate", async (c) => {
    const { repo: template } = await repoFor(c, ["contents", "read"]);
    if (!template.isTemplate)
      throw new GitHubError(422, `${template.owner}/${template.name} is not a template repository`);
    const token = await requireToken(c);
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const name = checkName(body.name);
    const ownerLogin = typeof body.owner === "string" ? body.owner : template.owner;
    const objects = c.get("objects");
    const org = await objects.get<Org>("org", ownerLogin.toLowerCase());
    if (!org || (token.org && token.org.toLowerCase() !== org.login.toLowerCase())) throw notFound();
    if (!allows(token.permissions, "administration", "write")) throw notAccessible();
    const repo = newRepo(await objects.nextId(), org.login, name, {
      ...settings({ description: body.description, private: body.private }),
      templateRepository: repoKey(template.owner, template.name),
    });
    if (!(await objects.create("repo", repoKey(org.login, name), repo))) throw taken();
    const head = await branchHead(objects, template, template.defaultBranch);
    const files = await flatten(objects, template, head.tree);
    // Git objects are per repository: copy the blobs the template's tree points at.
    for (const { sha } of files.values()) {
      const blob = await objects.get<object>("git", `${template.id}:${sha}`);
      if (blob) await objects.put("git", `${repo.id}:${sha}`, blob);
    }
    const tree = await putTree(objects, repo, files);
    const commit = await putCommit(objects, repo, { tree: tree.sha, parents: [], message: "Initial commit" });
    await setRef(objects, repo, `refs/heads/${repo.defaultBranch}`, commit.sha);
    return c.json(repositoryJson(apiOf(c), repo, org), 201);
  });

  app.get("/repos/:owner/:repo", async (c) => {
    const { repo } = await repoFor(c, ["metadata", "read"]);
    const org = (await c.get("objects").get<Org>("org", repo.owner.toLowerCase())) as Org;
    return c.json(repositoryJson(apiOf(c), repo, org));
  });

  app.patch("/repos/:owner/:repo", async (c) => {
    const { repo } = await repoFor(c, ["administration", "write"], { forUpdate: true });
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const objects = c.get("objects");
    if (repo.archived && body.archived !== false) assertWritable(repo);
    const next: Repo = { ...repo, ...settings(body), updatedAt: new Date().toISOString() };
    if (body.default_branch !== undefined) {
      const branch = String(body.default_branch);
      if (!(await getRef(objects, repo, `refs/heads/${branch}`)))
        throw validationFailed([{ resource: "Repository", field: "default_branch", code: "invalid" }]);
      next.defaultBranch = branch;
    }
    const analysis = body.security_and_analysis as Record<string, { status?: string }> | undefined;
    if (analysis) {
      const on = (key: string, current: boolean) =>
        analysis[key]?.status === undefined ? current : analysis[key]?.status === "enabled";
      next.security = {
        ...repo.security,
        secretScanning: on("secret_scanning", repo.security.secretScanning),
        secretScanningPushProtection: on(
          "secret_scanning_push_protection",
          repo.security.secretScanningPushProtection,
        ),
      };
    }
    if (body.name !== undefined && body.name !== repo.name) {
      next.name = checkName(body.name);
      if (!(await objects.create("repo", repoKey(repo.owner, next.name), next))) throw taken();
      await objects.delete("repo", repoKey(repo.owner, repo.name));
    } else await objects.put("repo", repoKey(repo.owner, repo.name), next);
    const org = (await objects.get<Org>("org", repo.owner.toLowerCase())) as Org;
    return c.json(repositoryJson(apiOf(c), next, org));
  });

  return app;
}
