import type { Context } from "hono";
import { Hono } from "hono";
import { type AdoEnv, requireScope } from "../auth.ts";
import { AzureDevOpsError } from "../errors.ts";
import type { Project, WorkItem } from "../model.ts";
import { wellFormedProject } from "./projects.ts";

/** The Agile process's work item types. */
const TYPES = ["Epic", "Feature", "User Story", "Task", "Bug", "Issue"];
/** Fields a WIQL WHERE clause may compare, with the one macro the sandbox knows. */
const QUERYABLE = new Set([
  "System.WorkItemType",
  "System.State",
  "System.TeamProject",
  "System.Title",
  "System.Parent",
]);

const apiBase = (c: Context) => `${new URL(c.req.url).origin}/${c.req.param("org")}`;
const itemKey = (project: Project, id: number) => `${project.id}/${String(id).padStart(8, "0")}`;

function itemJson(c: Context, project: Project, w: WorkItem) {
  const url = `${apiBase(c)}/${project.id}/_apis/wit/workItems/${w.id}`;
  return {
    id: w.id,
    rev: w.rev,
    fields: { ...w.fields, ...(w.parentId ? { "System.Parent": w.parentId } : {}) },
    ...(w.parentId
      ? {
          relations: [
            {
              rel: "System.LinkTypes.Hierarchy-Reverse",
              url: `${apiBase(c)}/${project.id}/_apis/wit/workItems/${w.parentId}`,
              attributes: { isLocked: false, name: "Parent" },
            },
          ],
        }
      : {}),
    url,
    _links: { self: { href: url } },
  };
}

type Patch = { op?: string; path?: string; value?: unknown }[];

/** Work items (created and read with JSON Patch documents, as the service takes them) and flat WIQL queries. */
export function workItemRoutes(): Hono<AdoEnv> {
  const app = new Hono<AdoEnv>();

  app.post("/:org/:project/_apis/wit/workItems/:type", async (c) => {
    await requireScope(c, "vso.work_write");
    const project = await wellFormedProject(c);
    const objects = c.get("objects");
    const type = decodeURIComponent(c.req.param("type")).replace(/^\$/, "");
    const known = TYPES.find((t) => t.toLowerCase() === type.toLowerCase());
    if (!known)
      throw new AzureDevOpsError(
        404,
        `VS402323: Work item type ${type} does not exist in project ${project.name}.`,
        "WorkItemTypeNotFoundException",
      );
    const patch = (await c.req.json().catch(() => null)) as Patch | null;
    if (!Array.isArray(patch))
      throw new AzureDevOpsError(
        400,
        "The request body must be a JSON Patch document.",
        "InvalidArgumentValueException",
      );
    const fields: WorkItem["fields"] = {};
    let parentId: number | null = null;
    for (const op of patch) {
      if (op.op !== "add")
        throw new AzureDevOpsError(
          400,
          `Unsupported JSON Patch operation ${op.op}.`,
          "InvalidArgumentValueException",
        );
      if (op.path?.startsWith("/fields/")) fields[op.path.slice("/fields/".length)] = op.value as string;
      else if (op.path === "/relations/-") {
        const relation = op.value as { rel?: string; url?: string };
        const id = Number(/\/workItems\/(\d+)$/i.exec(relation.url ?? "")?.[1]);
        if (
          relation.rel !== "System.LinkTypes.Hierarchy-Reverse" ||
          !(await objects.get<WorkItem>("workitem", itemKey(project, id)))
        )
          throw new AzureDevOpsError(
            400,
            "TF401347: The parent link points at a work item that does not exist.",
            "WorkItemLinkInvalidException",
          );
        parentId = id;
      }
    }
    if (!fields["System.Title"])
      throw new AzureDevOpsError(
        400,
        "TF401320: Rule Error for field Title. Error code: Required, HasValues, LimitedToValues, AllowsOldValue, InvalidEmpty.",
        "RuleValidationException",
      );
    const now = new Date().toISOString();
    const item: WorkItem = {
      id: await objects.nextId(),
      rev: 1,
      projectId: project.id,
      parentId,
      fields: {
        "System.State": "New",
        ...fields,
        "System.WorkItemType": known,
        "System.TeamProject": project.name,
        "System.AreaPath": project.name,
        "System.IterationPath": project.name,
        "System.CreatedDate": now,
        "System.ChangedDate": now,
      },
    };
    await objects.put("workitem", itemKey(project, item.id), item);
    return c.json(itemJson(c, project, item));
  });

  // A batch read by ids (at most 200, as Azure DevOps allows); a missing id fails the whole read, as its default error policy does.
  app.get("/:org/:project/_apis/wit/workItems", async (c) => {
    await requireScope(c, "vso.work");
    const project = await wellFormedProject(c);
    const ids = (c.req.query("ids") ?? "").split(",").filter(Boolean).map(Number);
    if (ids.length === 0 || ids.length > 200 || ids.some((id) => !Number.isInteger(id) || id <= 0))
      throw new AzureDevOpsError(
        400,
        "VS403474: ids must list 1 to 200 work item ids.",
        "InvalidArgumentValueException",
      );
    const items = [];
    for (const id of ids) {
      const item = await c.get("objects").get<WorkItem>("workitem", itemKey(project, id));
      if (!item)
        throw new AzureDevOpsError(
          404,
          `TF401232: Work item ${id} does not exist, or you do not have permissions to read it.`,
          "WorkItemUnauthorizedAccessException",
        );
      items.push(itemJson(c, project, item));
    }
    return c.json({ count: items.length, value: items });
  });

  app.get("/:org/:project/_apis/wit/workItems/:id{[0-9]+}", async (c) => {
    await requireScope(c, "vso.work");
    const project = await wellFormedProject(c);
    const item = await c
      .get("objects")
      .get<WorkItem>("workitem", itemKey(project, Number(c.req.param("id"))));
    if (!item)
      throw new AzureDevOpsError(
        404,
        `TF401232: Work item ${c.req.param("id")} does not exist, or you do not have permissions to read it.`,
        "WorkItemUnauthorizedAccessException",
      );
    return c.json(itemJson(c, project, item));
  });

  app.post("/:org/:project/_apis/wit/wiql", async (c) => {
    await requireScope(c, "vso.work");
    const project = await wellFormedProject(c);
    const body = (await c.req.json().catch(() => ({}))) as { query?: string };
    const conditions = parseWiql(body.query ?? "", project.name);
    const items = (await c.get("objects").list<WorkItem>("workitem", `${project.id}/`)).filter((w) =>
      conditions.every(
        ([field, value]) =>
          String(field === "System.Parent" ? w.parentId : w.fields[field]).toLowerCase() ===
          value.toLowerCase(),
      ),
    );
    return c.json({
      queryType: "flat",
      queryResultType: "workItem",
      asOf: new Date().toISOString(),
      columns: [{ referenceName: "System.Id", name: "ID", url: `${apiBase(c)}/_apis/wit/fields/System.Id` }],
      workItems: items.map((w) => ({
        id: w.id,
        url: `${apiBase(c)}/${project.id}/_apis/wit/workItems/${w.id}`,
      })),
    });
  });

  return app;
}

/**
 * The flat WIQL the sandbox answers: `SELECT … FROM WorkItems [WHERE [Field] = 'value' AND …]`, with
 * `@project`. Anything else is refused rather than answered wrongly.
 */
function parseWiql(query: string, project: string): [string, string][] {
  const match = /^\s*select\s+.+?\s+from\s+workitems\s*(?:where\s+(.+?))?\s*(?:order\s+by\s+.+)?$/is.exec(
    query,
  );
  if (!match)
    throw new AzureDevOpsError(
      400,
      "VS402336: The sandbox answers flat queries: SELECT … FROM WorkItems WHERE [Field] = 'value' AND …",
      "WiqlSyntaxException",
    );
  if (!match[1]) return [];
  return match[1].split(/\s+and\s+/i).map((clause) => {
    const c = /^\[([\w.]+)\]\s*=\s*(?:'((?:[^']|'')*)'|(@project)|(\d+))$/i.exec(clause.trim());
    if (!c?.[1] || !QUERYABLE.has(c[1]))
      throw new AzureDevOpsError(
        400,
        `TF51005: The query references a field or syntax the sandbox does not support: ${clause.trim()}`,
        "WiqlSyntaxException",
      );
    return [c[1], c[3] ? project : (c[2]?.replaceAll("''", "'") ?? c[4] ?? "")];
  });
}
