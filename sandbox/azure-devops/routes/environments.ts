import type { Context } from "hono";
import { Hono } from "hono";
import type { Objects } from "../../store.ts";
import { type AdoEnv, requireScope } from "../auth.ts";
import { AzureDevOpsError } from "../errors.ts";
import type { Environment, Project } from "../model.ts";
import { wellFormedProject } from "./projects.ts";

// Every environment call on the distributedtask location asks for this scope, reads included.
const SCOPE = "vso.environment_manage";
const NAME_MAX = 128;

const environmentKey = (projectId: string, name: string) => `${projectId}/${name.toLowerCase()}`;

export const identityRef = (user: string) => ({ displayName: user, uniqueName: user });

function environmentJson(e: Environment, project: Project) {
  return {
    id: e.id,
    name: e.name,
    description: e.description,
    createdBy: identityRef(e.createdBy),
    createdOn: e.createdOn,
    lastModifiedBy: identityRef(e.lastModifiedBy),
    lastModifiedOn: e.lastModifiedOn,
    project: { id: project.id, name: project.name },
  };
}

/** A project's environment by id, or undefined. */
export async function findEnvironment(
  objects: Objects,
  projectId: string,
  id: number,
): Promise<Environment | undefined> {
  return (await objects.list<Environment>("environment", `${projectId}/`)).find((e) => e.id === id);
}

export const environmentNotFound = (id: string | number) =>
  new AzureDevOpsError(404, `Environment with id ${id} does not exist.`, "EnvironmentNotFoundException");

/** Pipeline environments of a project (the distributedtask location the client library calls). */
export function environmentRoutes(): Hono<AdoEnv> {
  const app = new Hono<AdoEnv>();

  app.post("/:org/:project/_apis/distributedtask/environments", async (c) => {
    const pat = await requireScope(c, SCOPE);
    const project = await wellFormedProject(c);
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as { name?: unknown; description?: unknown };
    const name = typeof body.name === "string" ? body.name.trim() : "";
    if (!name || name.length > NAME_MAX)
      throw new AzureDevOpsError(
        400,
        `The environment name must be 1 to ${NAME_MAX} characters long.`,
        "InvalidArgumentValueException",
      );
    const now = new Date().toISOString();
    const environment: Environment = {
      id: await objects.nextId(),
      projectId: project.id,
      name,
      description: typeof body.description === "string" ? body.description : "",
      createdBy: pat.user,
      createdOn: now,
      lastModifiedBy: pat.user,
      lastModifiedOn: now,
    };
    if (!(await objects.create("environment", environmentKey(project.id, name), environment)))
      throw new AzureDevOpsError(
        409,
        `Environment '${name}' already exists in project ${project.name}.`,
        "EnvironmentExistsException",
      );
    return c.json(environmentJson(environment, project));
  });

  app.get("/:org/:project/_apis/distributedtask/environments", async (c) => {
    await requireScope(c, SCOPE);
    const project = await wellFormedProject(c);
    const wanted = c.req.query("name")?.toLowerCase();
    const top = Number(c.req.query("$top") ?? Number.POSITIVE_INFINITY);
    const all = (await c.get("objects").list<Environment>("environment", `${project.id}/`))
      .filter((e) => !wanted || e.name.toLowerCase() === wanted)
      .slice(0, top > 0 ? top : undefined);
    return c.json({ count: all.length, value: all.map((e) => environmentJson(e, project)) });
  });

  app.get(
    "/:org/:project/_apis/distributedtask/environments/:environmentId{[0-9]+}",
    async (c: Context<AdoEnv>) => {
      await requireScope(c, SCOPE);
      const project = await wellFormedProject(c);
      const id = c.req.param("environmentId") ?? "";
      const environment = await findEnvironment(c.get("objects"), project.id, Number(id));
      if (!environment) throw environmentNotFound(id);
      return c.json(environmentJson(environment, project));
    },
  );

  return app;
}
