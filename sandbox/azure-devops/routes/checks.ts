import type { Context } from "hono";
import { Hono } from "hono";
import { type AdoEnv, requireScope } from "../auth.ts";
import { AzureDevOpsError } from "../errors.ts";
import type { CheckConfiguration, Project } from "../model.ts";
import { environmentNotFound, findEnvironment, identityRef } from "./environments.ts";
import { wellFormedProject } from "./projects.ts";

type Body = Record<string, unknown>;

// Writes take either scope, reads Build (read), as the PipelinesChecks REST reference lists them.
const WRITE = ["vso.build_execute", "vso.pipelineresources_manage"];
const READ = "vso.build";
const PATH = "/:org/:project/_apis/pipelines/checks/configurations";
const MAX_TIMEOUT = 43_200;

/** The check types Azure DevOps ships with, by id (lowercase). */
const CHECK_TYPES: Record<string, string> = {
  "8c6f20a7-a545-4486-9777-f762fafe0d4d": "Approval",
  "fe1de3ee-a436-41b4-bb20-f6eb4cb879a7": "Task Check",
  "2ef31ad6-baa0-403a-8b45-2cbc9b4e5563": "ExclusiveLock",
};
const APPROVAL = "8c6f20a7-a545-4486-9777-f762fafe0d4d";
const EXECUTION_ORDERS: Record<string, string> = {
  anyorder: "anyOrder",
  "1": "anyOrder",
  insequence: "inSequence",
  "2": "inSequence",
};

const invalid = (message: string) => new AzureDevOpsError(400, message, "InvalidArgumentValueException");
const configKey = (projectId: string, id: number) => `${projectId}/${String(id).padStart(8, "0")}`;

function checkJson(c: Context, project: Project, check: CheckConfiguration, withSettings: boolean) {
  const url = `${new URL(c.req.url).origin}/${c.req.param("org")}/${project.id}/_apis/pipelines/checks/configurations/${check.id}`;
  return {
    ...(withSettings ? { settings: check.settings } : {}),
    createdBy: identityRef(check.createdBy),
    createdOn: check.createdOn,
    modifiedBy: identityRef(check.modifiedBy),
    modifiedOn: check.modifiedOn,
    timeout: check.timeout,
    version: check.version,
    _links: { self: { href: url } },
    id: check.id,
    type: check.type,
    url,
    resource: check.resource,
  };
}

/** An approval's settings, refused unless they name approvers and a reachable minimum; the order as a name. */
function approvalSettings(raw: Body): Body {
  const approvers = Array.isArray(raw.approvers) ? (raw.approvers as Body[]) : [];
  if (approvers.length === 0 || approvers.some((a) => typeof a?.id !== "string" || !a.id))
    throw invalid("An approval check needs at least one approver, each with an id.");
  const min = raw.minRequiredApprovers ?? 0;
  if (typeof min !== "number" || !Number.isInteger(min) || min < 0 || min > approvers.length)
    throw invalid(
      `minRequiredApprovers must be between 0 and the number of approvers (${approvers.length}).`,
    );
  const order = EXECUTION_ORDERS[String(raw.executionOrder ?? "anyOrder").toLowerCase()];
  if (!order) throw invalid(`The execution order ${String(raw.executionOrder)} is not valid.`);
  return {
    ...raw,
    approvers: approvers.map((a) => ({ displayName: a.displayName ?? null, id: String(a.id).toLowerCase() })),
    executionOrder: order,
    minRequiredApprovers: min,
    instructions: typeof raw.instructions === "string" ? raw.instructions : "",
    blockedApprovers: Array.isArray(raw.blockedApprovers) ? raw.blockedApprovers : [],
  };
}

/** The type's settings, validated for the types the sandbox understands, and the timeout in minutes. */
function settingsAndTimeout(typeId: string, body: Body, fallbackTimeout: number) {
  const raw = (body.settings ?? {}) as Body;
  const settings = typeId === APPROVAL ? approvalSettings(raw) : raw;
  const timeout = body.timeout ?? fallbackTimeout;
  if (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT)
    throw invalid(`The timeout must be a whole number of minutes from 1 to ${MAX_TIMEOUT}.`);
  return { settings, timeout };
}

/** Pipeline checks (approvals, …) on a project's resources; the sandbox guards environments. */
export function checkRoutes(): Hono<AdoEnv> {
  const app = new Hono<AdoEnv>();

  const existing = async (c: Context<AdoEnv>, project: Project) => {
    const id = c.req.param("id") ?? "";
    const check = await c.get("objects").get<CheckConfiguration>("check", configKey(project.id, Number(id)));
    if (!check)
      throw new AzureDevOpsError(
        404,
        `Check configuration with id ${id} does not exist.`,
        "CheckConfigurationNotFoundException",
      );
    return check;
  };

  app.post(PATH, async (c) => {
    const pat = await requireScope(c, WRITE);
    const project = await wellFormedProject(c);
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const type = (body.type ?? {}) as { id?: unknown };
    const typeId = String(type.id ?? "").toLowerCase();
    const typeName = CHECK_TYPES[typeId];
    if (!typeName) throw invalid(`Check type ${String(type.id)} is not valid.`);
    const resource = (body.resource ?? {}) as { type?: unknown; id?: unknown };
    if (String(resource.type).toLowerCase() !== "environment")
      throw invalid(`The sandbox serves checks on environments only, not on ${String(resource.type)}.`);
    const environment = await findEnvironment(objects, project.id, Number(resource.id));
    if (!environment) throw environmentNotFound(String(resource.id));
    const now = new Date().toISOString();
    const check: CheckConfiguration = {
      id: await objects.nextId(),
      projectId: project.id,
      type: { id: typeId, name: typeName },
      resource: { type: "environment", id: String(environment.id), name: environment.name },
      ...settingsAndTimeout(typeId, body, MAX_TIMEOUT),
      version: 1,
      createdBy: pat.user,
      createdOn: now,
      modifiedBy: pat.user,
      modifiedOn: now,
    };
    await objects.put("check", configKey(project.id, check.id), check);
    return c.json(checkJson(c, project, check, true));
  });

  // Settings appear only when asked for with `$expand=settings` (or its enum value, 1).
  const expanded = (c: Context) => ["settings", "1"].includes((c.req.query("$expand") ?? "").toLowerCase());

  app.get(PATH, async (c) => {
    await requireScope(c, READ);
    const project = await wellFormedProject(c);
    const type = c.req.query("resourceType")?.toLowerCase();
    const id = c.req.query("resourceId");
    const checks = (await c.get("objects").list<CheckConfiguration>("check", `${project.id}/`)).filter(
      (k) => (!type || k.resource.type === type) && (!id || k.resource.id === id),
    );
    return c.json({ count: checks.length, value: checks.map((k) => checkJson(c, project, k, expanded(c))) });
  });

  app.get(`${PATH}/:id{[0-9]+}`, async (c) => {
    await requireScope(c, READ);
    const project = await wellFormedProject(c);
    return c.json(checkJson(c, project, await existing(c, project), expanded(c)));
  });

  // An update replaces the settings and timeout; the type and the resource a check guards stay as they were.
  app.patch(`${PATH}/:id{[0-9]+}`, async (c) => {
    const pat = await requireScope(c, WRITE);
    const project = await wellFormedProject(c);
    const check = await existing(c, project);
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const typeId = String((body.type as { id?: unknown } | undefined)?.id ?? check.type.id).toLowerCase();
    if (typeId !== check.type.id) throw invalid("The type of a check configuration cannot change.");
    const updated: CheckConfiguration = {
      ...check,
      ...settingsAndTimeout(check.type.id, body, check.timeout),
      version: check.version + 1,
      modifiedBy: pat.user,
      modifiedOn: new Date().toISOString(),
    };
    await c.get("objects").put("check", configKey(project.id, check.id), updated);
    return c.json(checkJson(c, project, updated, true));
  });

  return app;
}
