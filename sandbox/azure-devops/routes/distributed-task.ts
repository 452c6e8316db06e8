import { createHash } from "node:crypto";
import type { Context } from "hono";
import { Hono } from "hono";
import { type AdoEnv, requireScope } from "../auth.ts";
import { AzureDevOpsError } from "../errors.ts";
import type { AgentPool, AgentQueue, Project, VariableGroup } from "../model.ts";
import { findProject, wellFormedProject } from "./projects.ts";

type Body = Record<string, unknown>;
const orgOf = (c: Context) => (c.req.param("org") ?? "").toLowerCase();

const poolJson = (p: AgentPool) => ({
  id: p.id,
  name: p.name,
  isHosted: false,
  poolType: "automation",
  size: 0,
  createdOn: p.createdOn,
  autoProvision: false,
});

function groupJson(g: VariableGroup, projects: Project[]) {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    type: "Vsts",
    variables: Object.fromEntries(
      Object.entries(g.variables).map(([k, v]) => [
        k,
        v.isSecret ? { value: null, isSecret: true } : { value: v.value ?? "" },
      ]),
    ),
    createdOn: g.createdOn,
    modifiedOn: g.modifiedOn,
    isShared: false,
    variableGroupProjectReferences: projects.map((p) => ({
      name: g.name,
      projectReference: { id: p.id, name: p.name },
    })),
  };
}

/** The group's fields from a request body; secret values are kept only as SHA-256 fingerprints. */
function groupFields(
  body: Body,
): Pick<VariableGroup, "name" | "description" | "variables"> & { projectIds: string[] } {
  const name = typeof body.name === "string" ? body.name.trim() : "";
  if (!name)
    throw new AzureDevOpsError(400, "The variable group needs a name.", "InvalidArgumentValueException");
  const raw = (body.variables ?? {}) as Record<string, { value?: unknown; isSecret?: unknown }>;
  const variables: VariableGroup["variables"] = {};
  for (const [key, v] of Object.entries(raw)) {
    const value = typeof v?.value === "string" ? v.value : "";
    variables[key] =
      v?.isSecret === true
        ? { isSecret: true, secretSha256: createHash("sha256").update(value).digest("hex") }
        : { isSecret: false, value };
  }
  const refs = (body.variableGroupProjectReferences ?? []) as { projectReference?: { id?: string } }[];
  const projectIds = refs.map((r) => String(r.projectReference?.id ?? "").toLowerCase()).filter(Boolean);
  if (projectIds.length === 0)
    throw new AzureDevOpsError(
      400,
      "The variable group needs a project reference.",
      "InvalidArgumentValueException",
    );
  return {
    name,
    description: typeof body.description === "string" ? body.description : "",
    variables,
    projectIds,
  };
}

/** Agent pools (organisation), agent queues (project) and variable groups (written at organisation level, read per project). */
export function distributedTaskRoutes(): Hono<AdoEnv> {
  const app = new Hono<AdoEnv>();

  app.post("/:org/_apis/distributedtask/pools", async (c) => {
    await requireScope(c, "vso.agentpools_manage");
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const name = typeof body.name === "string" ? body.name.trim() : "";
    if (!name)
      throw new AzureDevOpsError(400, "The agent pool needs a name.", "InvalidArgumentValueException");
    const pool: AgentPool = { id: await objects.nextId(), name, createdOn: new Date().toISOString() };
    if (!(await objects.create("pool", `${orgOf(c)}/${name.toLowerCase()}`, pool)))
      throw new AzureDevOpsError(409, `Agent pool ${name} already exists.`, "AgentPoolExistsException");
    return c.json(poolJson(pool));
  });

  app.get("/:org/_apis/distributedtask/pools", async (c) => {
    await requireScope(c, "vso.agentpools");
    const wanted = c.req.query("poolName")?.toLowerCase();
    const all = (await c.get("objects").list<AgentPool>("pool", `${orgOf(c)}/`)).filter(
      (p) => !wanted || p.name.toLowerCase() === wanted,
    );
    return c.json({ count: all.length, value: all.map(poolJson) });
  });

  app.post("/:org/:project/_apis/distributedtask/queues", async (c) => {
    await requireScope(c, "vso.agentpools_manage");
    const project = await wellFormedProject(c);
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as { name?: string; pool?: { id?: number } };
    const pools = await objects.list<AgentPool>("pool", `${orgOf(c)}/`);
    const pool = pools.find((p) => p.id === Number(body.pool?.id));
    if (!pool)
      throw new AzureDevOpsError(
        404,
        `Agent pool ${body.pool?.id} does not exist.`,
        "AgentPoolNotFoundException",
      );
    const name = body.name?.trim() || pool.name;
    const queue: AgentQueue = { id: await objects.nextId(), name, projectId: project.id, poolId: pool.id };
    if (!(await objects.create("queue", `${project.id}/${name.toLowerCase()}`, queue)))
      throw new AzureDevOpsError(
        409,
        `Agent queue ${name} already exists in project ${project.name}.`,
        "AgentQueueExistsException",
      );
    return c.json({ id: queue.id, name, projectId: project.id, pool: poolJson(pool) });
  });

  app.get("/:org/:project/_apis/distributedtask/queues", async (c) => {
    await requireScope(c, "vso.agentpools");
    const project = await wellFormedProject(c);
    const objects = c.get("objects");
    const wanted = c.req.query("queueName")?.toLowerCase();
    const pools = await objects.list<AgentPool>("pool", `${orgOf(c)}/`);
    const queues = (await objects.list<AgentQueue>("queue", `${project.id}/`)).filter(
      (q) => !wanted || q.name.toLowerCase() === wanted,
    );
    const value = queues.map((q) => ({
      id: q.id,
      name: q.name,
      projectId: q.projectId,
      pool: poolJson(pools.find((p) => p.id === q.poolId) as AgentPool),
    }));
    return c.json({ count: value.length, value });
  });

  const projectsOf = async (c: Context<AdoEnv>, ids: string[]) => {
    const found = await Promise.all(ids.map((id) => findProject(c.get("objects"), orgOf(c), id)));
    if (found.some((p) => !p))
      throw new AzureDevOpsError(404, "A referenced project does not exist.", "ProjectDoesNotExistException");
    return found as Project[];
  };

  app.post("/:org/_apis/distributedtask/variablegroups", async (c) => {
    await requireScope(c, "vso.variablegroups_manage");
    const objects = c.get("objects");
    const fields = groupFields((await c.req.json().catch(() => ({}))) as Body);
    const projects = await projectsOf(c, fields.projectIds);
    const now = new Date().toISOString();
    const group: VariableGroup = { id: await objects.nextId(), ...fields, createdOn: now, modifiedOn: now };
    const existing = await objects.list<VariableGroup>("variablegroup", `${orgOf(c)}/`);
    if (
      existing.some(
        (g) =>
          g.name.toLowerCase() === group.name.toLowerCase() &&
          g.projectIds.some((p) => group.projectIds.includes(p)),
      )
    )
      throw new AzureDevOpsError(
        409,
        `Variable group with name ${group.name} already exists.`,
        "VariableGroupExistsException",
      );
    await objects.put("variablegroup", `${orgOf(c)}/${String(group.id).padStart(8, "0")}`, group);
    return c.json(groupJson(group, projects));
  });

  app.put("/:org/_apis/distributedtask/variablegroups/:groupId{[0-9]+}", async (c) => {
    await requireScope(c, "vso.variablegroups_manage");
    const objects = c.get("objects");
    const key = `${orgOf(c)}/${c.req.param("groupId").padStart(8, "0")}`;
    const existing = await objects.get<VariableGroup>("variablegroup", key);
    if (!existing)
      throw new AzureDevOpsError(
        404,
        `Variable group ${c.req.param("groupId")} does not exist.`,
        "VariableGroupNotFoundException",
      );
    const fields = groupFields((await c.req.json().catch(() => ({}))) as Body);
    const projects = await projectsOf(c, fields.projectIds);
    const group: VariableGroup = { ...existing, ...fields, modifiedOn: new Date().toISOString() };
    await objects.put("variablegroup", key, group);
    return c.json(groupJson(group, projects));
  });

  app.get("/:org/:project/_apis/distributedtask/variablegroups", async (c) => {
    await requireScope(c, "vso.variablegroups_read");
    const project = await wellFormedProject(c);
    const wanted = c.req.query("groupName")?.toLowerCase();
    const groups = (await c.get("objects").list<VariableGroup>("variablegroup", `${orgOf(c)}/`)).filter(
      (g) => g.projectIds.includes(project.id) && (!wanted || g.name.toLowerCase() === wanted),
    );
    return c.json({ count: groups.length, value: groups.map((g) => groupJson(g, [project])) });
  });

  return app;
}
