import type { Context } from "hono";
import { Hono } from "hono";
import type { Objects } from "../../store.ts";
import { type AdoEnv, newId, requireScope } from "../auth.ts";
import { AzureDevOpsError, projectNotFound } from "../errors.ts";
import { createGroup, DEFAULT_GROUPS } from "../identities.ts";
import { type Operation, type Project, projectKey } from "../model.ts";
import { grantDefaults } from "../permissions.ts";

type Body = Record<string, unknown>;
const NAME = /^(?![._])[^\\/:*?"<>;#$*{},+=[\]|]{1,64}(?<![.])$/;

const base = (c: Context) => `${new URL(c.req.url).origin}/${c.req.param("org")}`;

/** A project with its queued creation settled if its time has come (reads move it forward, no timers). */
function settled(p: Project): Project {
  return p.state === "createPending" && new Date(p.readyAt) <= new Date()
    ? { ...p, state: "wellFormed", revision: p.revision + 1 }
    : p;
}

/** A project by id or name, as the client asks for either. */
export async function findProject(
  objects: Objects,
  org: string,
  idOrName: string,
): Promise<Project | undefined> {
  const byName = await objects.get<Project>("project", projectKey(org, idOrName));
  if (byName) return settled(byName);
  const all = await objects.list<Project>("project", `${org.toLowerCase()}/`);
  const byId = all.find((p) => p.id === idOrName.toLowerCase());
  return byId ? settled(byId) : undefined;
}

/** The project the route names (by id or name), refused unless it exists and is well-formed. */
export async function wellFormedProject(c: Context<AdoEnv>): Promise<Project> {
  const project = await findProject(
    c.get("objects"),
    c.req.param("org") ?? "",
    decodeURIComponent(c.req.param("project") ?? ""),
  );
  if (project?.state !== "wellFormed") throw projectNotFound(c.req.param("project") ?? "");
  return project;
}

export const projectReference = (c: Context, p: Project) => ({
  id: p.id,
  name: p.name,
  description: p.description,
  url: `${base(c)}/_apis/projects/${p.id}`,
  state: p.state,
  revision: p.revision,
  visibility: p.visibility,
  lastUpdateTime: p.lastUpdateTime,
});

/** Projects: queued creation that completes asynchronously, reads by id or name, and the operation to poll. */
export function projectRoutes(options: { creationMs: number }): Hono<AdoEnv> {
  const app = new Hono<AdoEnv>();

  app.post("/:org/_apis/projects", async (c) => {
    await requireScope(c, "vso.project_manage");
    const objects = c.get("objects");
    const org = c.req.param("org");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const name = typeof body.name === "string" ? body.name.trim() : "";
    if (!name)
      throw new AzureDevOpsError(400, "The project name is required.", "InvalidArgumentValueException");
    if (!NAME.test(name))
      throw new AzureDevOpsError(
        400,
        `TF200020: The project name ${name} is not valid.`,
        "InvalidProjectNameException",
      );
    const visibility = body.visibility === 1 || body.visibility === "public" ? "public" : "private";
    const now = new Date();
    const readyAt = new Date(now.getTime() + options.creationMs).toISOString();
    const operation: Operation = {
      id: newId(),
      org: org.toLowerCase(),
      projectKey: projectKey(org, name),
      readyAt,
    };
    const project: Project = {
      id: newId(),
      org: org.toLowerCase(),
      name,
      description: typeof body.description === "string" ? body.description : "",
      visibility,
      state: "createPending",
      revision: 1,
      lastUpdateTime: now.toISOString(),
      readyAt,
      operationId: operation.id,
    };
    if (!(await objects.create("project", projectKey(org, name), project)))
      throw new AzureDevOpsError(
        409,
        `TF200019: The following project already exists on the Azure DevOps Server: ${name}. You cannot create a new project with the same name as an existing project. Provide a different name.`,
        "ProjectAlreadyExistsException",
      );
    await objects.put("operation", `${org.toLowerCase()}/${operation.id}`, operation);
    for (const [group, description] of Object.entries(DEFAULT_GROUPS))
      await createGroup(objects, org.toLowerCase(), project, group, description);
    await grantDefaults(objects, org.toLowerCase(), project);
    return c.json(
      {
        id: operation.id,
        status: "queued",
        url: `${base(c)}/_apis/operations/${operation.id}`,
        pluginId: null,
      },
      202,
    );
  });

  app.get("/:org/_apis/projects", async (c) => {
    await requireScope(c, "vso.project");
    const filter = (c.req.query("stateFilter") ?? "wellFormed").toLowerCase();
    const all = (await c.get("objects").list<Project>("project", `${c.req.param("org").toLowerCase()}/`)).map(
      settled,
    );
    const shown = all.filter((p) => filter === "all" || p.state.toLowerCase() === filter);
    return c.json({ count: shown.length, value: shown.map((p) => projectReference(c, p)) });
  });

  app.get("/:org/_apis/projects/:projectId", async (c) => {
    await requireScope(c, "vso.project");
    const project = await findProject(
      c.get("objects"),
      c.req.param("org"),
      decodeURIComponent(c.req.param("projectId")),
    );
    if (!project) throw projectNotFound(c.req.param("projectId"));
    return c.json({
      ...projectReference(c, project),
      capabilities: {
        versioncontrol: { sourceControlType: "Git" },
        processTemplate: { templateName: "Agile", templateTypeId: "adcc42ab-9882-485e-a3ed-7678f01f66bc" },
      },
      _links: { self: { href: `${base(c)}/_apis/projects/${project.id}` } },
      defaultTeam: {
        id: project.id,
        name: `${project.name} Team`,
        url: `${base(c)}/_apis/projects/${project.id}/teams/${project.id}`,
      },
    });
  });

  app.get("/:org/_apis/operations/:operationId", async (c) => {
    await requireScope(c);
    const objects = c.get("objects");
    const operation = await objects.get<Operation>(
      "operation",
      `${c.req.param("org").toLowerCase()}/${c.req.param("operationId")}`,
    );
    if (!operation)
      throw new AzureDevOpsError(
        404,
        `Operation ${c.req.param("operationId")} was not found.`,
        "OperationNotFoundException",
      );
    const done = new Date(operation.readyAt) <= new Date();
    return c.json({
      id: operation.id,
      status: done ? "succeeded" : "inProgress",
      url: `${base(c)}/_apis/operations/${operation.id}`,
      resultMessage: null,
      _links: { self: { href: `${base(c)}/_apis/operations/${operation.id}` } },
    });
  });

  return app;
}
