import type { Context } from "hono";
import { Hono } from "hono";
import type { Objects } from "../../store.ts";
import { repoFor, type SandboxEnv } from "../auth.ts";
import { GitHubError, notFound, validationFailed } from "../errors.ts";
import { issueJson, labelJson } from "../issue-json.ts";
import { apiOf } from "../json.ts";
import { type Issue, type Label, type Repo, underRepo } from "../model.ts";
import { paginate } from "../paging.ts";
import { assertWritable } from "./repos.ts";

type Body = Record<string, unknown>;
const COLOR = /^[0-9a-fA-F]{6}$/;

/** The next issue or pull request number of a repository. */
export async function nextNumber(objects: Objects, repo: Repo): Promise<number> {
  const counter = (await objects.get<{ next: number }>("counter", underRepo(repo, "issues"), {
    forUpdate: true,
  })) ?? { next: 1 };
  await objects.put("counter", underRepo(repo, "issues"), { next: counter.next + 1 });
  return counter.next;
}

export const listLabels = (objects: Objects, repo: Repo) => objects.list<Label>("label", underRepo(repo));

/** Labels named on an issue are created when missing, as GitHub does for writers. */
export async function ensureLabels(objects: Objects, repo: Repo, names: string[]): Promise<string[]> {
  for (const name of names) {
    const key = underRepo(repo, name.toLowerCase());
    if (!(await objects.get<Label>("label", key)))
      await objects.put<Label>("label", key, {
        id: await objects.nextId(),
        name,
        color: "ededed",
        description: null,
      });
  }
  return names;
}

export const getIssue = (objects: Objects, repo: Repo, number: number, forUpdate = false) =>
  objects.get<Issue>("issue", underRepo(repo, String(number).padStart(8, "0")), { forUpdate });
export const putIssue = (objects: Objects, repo: Repo, issue: Issue) =>
  objects.put("issue", underRepo(repo, String(issue.number).padStart(8, "0")), issue);

/** Opens and stores an issue or a pull request under the repository's next number. */
export async function openIssue(
  objects: Objects,
  repo: Repo,
  fields: Pick<Issue, "title" | "body" | "labels" | "assignees" | "author" | "pull">,
): Promise<Issue> {
  const now = new Date().toISOString();
  const issue: Issue = {
    ...fields,
    id: await objects.nextId(),
    number: await nextNumber(objects, repo),
    state: "open",
    stateReason: null,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
  };
  await putIssue(objects, repo, issue);
  return issue;
}

const stringList = (value: unknown, field: string): string[] | undefined => {
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.some((v) => typeof v !== "string" && typeof (v as { name?: unknown })?.name !== "string")
  )
    throw validationFailed([{ resource: "Issue", field, code: "invalid" }]);
  return value.map((v) => (typeof v === "string" ? v : (v as { name: string }).name));
};

/** Issues (which include pull requests in listings) and labels. */
export function issueRoutes(): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();
  const reply = async (c: Context<SandboxEnv>, repo: Repo, issue: Issue, status: 200 | 201 = 200) =>
    c.json(issueJson(apiOf(c), repo, issue, await listLabels(c.get("objects"), repo)), status);

  app.post("/repos/:owner/:repo/issues", async (c) => {
    const { repo, token } = await repoFor(c, ["issues", "write"]);
    assertWritable(repo);
    if (!repo.hasIssues) throw new GitHubError(410, "Issues are disabled for this repo");
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    if (typeof body.title !== "string" || body.title.trim() === "")
      throw validationFailed([{ resource: "Issue", field: "title", code: "missing_field" }]);
    const issue = await openIssue(objects, repo, {
      title: body.title,
      body: typeof body.body === "string" ? body.body : null,
      labels: await ensureLabels(objects, repo, stringList(body.labels, "labels") ?? []),
      assignees: stringList(body.assignees, "assignees") ?? [],
      author: token.login,
      pull: null,
    });
    return reply(c, repo, issue, 201);
  });

  app.get("/repos/:owner/:repo/issues", async (c) => {
    const { repo } = await repoFor(c, ["issues", "read"]);
    const state = c.req.query("state") ?? "open";
    const wanted =
      c.req
        .query("labels")
        ?.split(",")
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean) ?? [];
    const all = (await c.get("objects").list<Issue>("issue", underRepo(repo))).filter(
      (i) =>
        (state === "all" || i.state === state) &&
        wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)),
    );
    const labels = await listLabels(c.get("objects"), repo);
    return c.json(paginate(c, all.reverse()).map((i) => issueJson(apiOf(c), repo, i, labels)));
  });

  app.get("/repos/:owner/:repo/issues/:number{[0-9]+}", async (c) => {
    const { repo } = await repoFor(c, ["issues", "read"]);
    const issue = await getIssue(c.get("objects"), repo, Number(c.req.param("number")));
    if (!issue) throw notFound();
    return reply(c, repo, issue);
  });

  app.patch("/repos/:owner/:repo/issues/:number{[0-9]+}", async (c) => {
    const { repo } = await repoFor(c, ["issues", "write"]);
    assertWritable(repo);
    const objects = c.get("objects");
    const issue = await getIssue(objects, repo, Number(c.req.param("number")), true);
    if (!issue) throw notFound();
    const body = (await c.req.json().catch(() => ({}))) as Body;
    if (body.state !== undefined && body.state !== "open" && body.state !== "closed")
      throw validationFailed([{ resource: "Issue", field: "state", code: "invalid" }]);
    const now = new Date().toISOString();
    const closing = body.state === "closed" && issue.state === "open";
    const labels = stringList(body.labels, "labels");
    const next: Issue = {
      ...issue,
      ...(typeof body.title === "string" ? { title: body.title } : {}),
      ...(body.body !== undefined ? { body: body.body === null ? null : String(body.body) } : {}),
      ...(body.state ? { state: body.state as Issue["state"] } : {}),
      ...(labels ? { labels: await ensureLabels(objects, repo, labels) } : {}),
      ...(body.assignees !== undefined ? { assignees: stringList(body.assignees, "assignees") ?? [] } : {}),
      stateReason: closing
        ? body.state_reason === "not_planned"
          ? "not_planned"
          : "completed"
        : body.state === "open"
          ? null
          : issue.stateReason,
      closedAt: closing ? now : body.state === "open" ? null : issue.closedAt,
      updatedAt: now,
    };
    await putIssue(objects, repo, next);
    return reply(c, repo, next);
  });

  app.post("/repos/:owner/:repo/labels", async (c) => {
    const { repo } = await repoFor(c, ["issues", "write"]);
    assertWritable(repo);
    const body = (await c.req.json().catch(() => ({}))) as Body;
    if (typeof body.name !== "string" || body.name.trim() === "")
      throw validationFailed([{ resource: "Label", field: "name", code: "missing_field" }]);
    const color = typeof body.color === "string" ? body.color.replace(/^#/, "") : "ededed";
    if (!COLOR.test(color)) throw validationFailed([{ resource: "Label", field: "color", code: "invalid" }]);
    const objects = c.get("objects");
    const label: Label = {
      id: await objects.nextId(),
      name: body.name,
      color: color.toLowerCase(),
      description: typeof body.description === "string" ? body.description : null,
    };
    if (!(await objects.create("label", underRepo(repo, body.name.toLowerCase()), label)))
      throw validationFailed([{ resource: "Label", field: "name", code: "already_exists" }]);
    return c.json(labelJson(apiOf(c), repo, label), 201);
  });

  app.get("/repos/:owner/:repo/labels", async (c) => {
    const { repo } = await repoFor(c, ["issues", "read"]);
    return c.json(
      paginate(c, await listLabels(c.get("objects"), repo)).map((l) => labelJson(apiOf(c), repo, l)),
    );
  });

  app.patch("/repos/:owner/:repo/labels/:name", async (c) => {
    const { repo } = await repoFor(c, ["issues", "write"]);
    const objects = c.get("objects");
    const key = underRepo(repo, decodeURIComponent(c.req.param("name") ?? "").toLowerCase());
    const label = await objects.get<Label>("label", key);
    if (!label) throw notFound();
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const color = typeof body.color === "string" ? body.color.replace(/^#/, "") : label.color;
    if (!COLOR.test(color)) throw validationFailed([{ resource: "Label", field: "color", code: "invalid" }]);
    const next: Label = {
      ...label,
      color: color.toLowerCase(),
      ...(body.description !== undefined
        ? { description: body.description === null ? null : String(body.description) }
        : {}),
    };
    await objects.put("label", key, next);
    return c.json(labelJson(apiOf(c), repo, next));
  });

  return app;
}
