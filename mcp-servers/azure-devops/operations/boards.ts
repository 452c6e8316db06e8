import type { JsonPatchOperation } from "azure-devops-node-api/interfaces/common/VSSInterfaces.js";
import { z } from "zod";
import type { AzureDevOpsClient } from "../client.ts";
import { operation } from "../operation.ts";
import { ProjectName } from "./projects.ts";

const WorkItemType = z
  .enum(["Epic", "Feature", "User Story", "Task", "Bug", "Issue"])
  .describe("the Agile process's work item types");

export interface WorkItemInfo {
  id: number;
  type: string;
  title: string;
  state: string;
  /** Provider text, untrusted: whoever wrote the work item wrote it. */
  description: string | null;
  parentId: number | null;
}

const toItem = (w: { id?: number; fields?: Record<string, unknown> }): WorkItemInfo => ({
  id: w.id ?? 0,
  type: String(w.fields?.["System.WorkItemType"] ?? ""),
  title: String(w.fields?.["System.Title"] ?? ""),
  state: String(w.fields?.["System.State"] ?? ""),
  description: w.fields?.["System.Description"] === undefined ? null : String(w.fields["System.Description"]),
  parentId: w.fields?.["System.Parent"] === undefined ? null : Number(w.fields["System.Parent"]),
});

const Title = z.string().min(1).max(255).describe("the work item's title");
/** A backlog as a tree: epics, their features, and the features' tasks. */
export const Backlog = z
  .array(
    z.object({
      title: Title.describe("the epic's title"),
      description: z.string().max(32_000).optional().describe("the epic's details (HTML or Markdown)"),
      features: z
        .array(
          z.object({
            title: Title.describe("the feature's title"),
            tasks: z.array(Title).default([]).describe("the feature's tasks, by title"),
          }),
        )
        .default([])
        .describe("the epic's features"),
    }),
  )
  .default([])
  .describe("the startup's backlog: epics, their features and tasks");
type Backlog = z.output<typeof Backlog>;
type Node = {
  type: "Epic" | "Feature" | "Task";
  title: string;
  description?: string | undefined;
  children: Node[];
};

const tree = (backlog: Backlog): Node[] =>
  backlog.map((e) => ({
    type: "Epic",
    title: e.title,
    description: e.description,
    children: e.features.map((f) => ({
      type: "Feature",
      title: f.title,
      children: f.tasks.map((t) => ({ type: "Task", title: t, children: [] })),
    })),
  }));

/** The items of the backlog not yet in the project: matched by type, title and parent. */
export function missingItems(backlog: Backlog, existing: WorkItemInfo[]): { type: string; title: string }[] {
  const missing: { type: string; title: string }[] = [];
  const walk = (nodes: Node[], parentId: number | null | undefined) => {
    for (const node of nodes) {
      const found =
        parentId === undefined
          ? undefined
          : existing.find((w) => w.type === node.type && w.title === node.title && w.parentId === parentId);
      if (!found) missing.push({ type: node.type, title: node.title });
      walk(node.children, found ? found.id : undefined);
    }
  };
  walk(tree(backlog), null);
  return missing;
}

/** A WIQL string literal. */
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

interface NewItem {
  project: string;
  type: string;
  title: string;
  description?: string | undefined;
  parentId?: number | undefined;
}

async function createItem(client: AzureDevOpsClient, i: NewItem): Promise<WorkItemInfo> {
  const wit = await client.getWorkItemTrackingApi();
  // The service takes JSON Patch with string ops; the library's type says a numeric enum but sends the body as is.
  const patch = [
    { op: "add", path: "/fields/System.Title", value: i.title },
    ...(i.description !== undefined
      ? [{ op: "add", path: "/fields/System.Description", value: i.description }]
      : []),
    ...(i.parentId
      ? [
          {
            op: "add",
            path: "/relations/-",
            value: {
              rel: "System.LinkTypes.Hierarchy-Reverse",
              url: `${client.serverUrl}/_apis/wit/workItems/${i.parentId}`,
            },
          },
        ]
      : []),
  ] as unknown as JsonPatchOperation[];
  return toItem(await wit.createWorkItem(null, patch, i.project, i.type));
}

/** The project's work items matching every WIQL condition. */
async function queryItems(
  client: AzureDevOpsClient,
  project: string,
  conditions: string[],
): Promise<WorkItemInfo[]> {
  const where = ["[System.TeamProject] = @project", ...conditions];
  const wit = await client.getWorkItemTrackingApi();
  const result = await wit.queryByWiql(
    { query: `SELECT [System.Id] FROM WorkItems WHERE ${where.join(" AND ")}` },
    { project },
  );
  const ids = (result.workItems ?? []).map((w) => w.id ?? 0);
  // One batch read per 200 ids (the service's limit) rather than one request per item.
  const items: WorkItemInfo[] = [];
  for (let at = 0; at < ids.length; at += 200) {
    const batch = await wit.getWorkItems(
      ids.slice(at, at + 200),
      undefined,
      undefined,
      undefined,
      undefined,
      project,
    );
    items.push(...batch.map(toItem));
  }
  return items;
}

export const boardOperations = {
  boards_create_work_item: operation({
    name: "boards_create_work_item",
    summary: "Add a work item to the backlog (an epic, feature, story or task), optionally under a parent",
    write: true,
    input: z.object({
      project: ProjectName,
      type: WorkItemType,
      title: Title,
      description: z.string().max(32_000).optional().describe("HTML or Markdown details"),
      parentId: z.number().int().positive().optional().describe("the work item it breaks down"),
    }),
    resource: (i) => `${i.project}/workitems/${i.type}:${i.title}`,
    run: createItem,
  }),

  boards_get_work_item: operation({
    name: "boards_get_work_item",
    summary: "Read a work item",
    write: false,
    input: z.object({ project: ProjectName, id: z.number().int().positive().describe("the work item's id") }),
    resource: (i) => `${i.project}/workitems/${i.id}`,
    run: async (client, i) => {
      const item = await (await client.getWorkItemTrackingApi()).getWorkItem(
        i.id,
        undefined,
        undefined,
        undefined,
        i.project,
      );
      return item ? toItem(item) : null;
    },
  }),

  boards_query_work_items: operation({
    name: "boards_query_work_items",
    summary: "List a project's work items by type, state or parent (a flat WIQL query)",
    write: false,
    input: z.object({
      project: ProjectName,
      type: WorkItemType.optional(),
      state: z.string().min(1).optional().describe("e.g. New, Active, Closed"),
      parentId: z.number().int().positive().optional().describe("only the items directly under this one"),
    }),
    resource: (i) => `${i.project}/workitems`,
    run: (client, i) =>
      queryItems(client, i.project, [
        ...(i.type ? [`[System.WorkItemType] = ${literal(i.type)}`] : []),
        ...(i.state ? [`[System.State] = ${literal(i.state)}`] : []),
        ...(i.parentId ? [`[System.Parent] = ${i.parentId}`] : []),
      ]),
  }),

  boards_ensure_backlog: operation({
    name: "boards_ensure_backlog",
    summary:
      "Make the project's backlog hold these epics, features and tasks, creating only the missing ones under their parents",
    write: true,
    input: z.object({ project: ProjectName, backlog: Backlog }),
    resource: (i) => `${i.project}/backlog`,
    run: async (client, i) => {
      const existing = await queryItems(client, i.project, []);
      const created: { id: number; type: string; title: string }[] = [];
      const ensure = async (nodes: Node[], parentId: number | null) => {
        for (const node of nodes) {
          let item = existing.find(
            (w) => w.type === node.type && w.title === node.title && w.parentId === parentId,
          );
          if (!item) {
            item = await createItem(client, {
              project: i.project,
              type: node.type,
              title: node.title,
              description: node.description,
              parentId: parentId ?? undefined,
            });
            created.push({ id: item.id, type: item.type, title: item.title });
          }
          await ensure(node.children, item.id);
        }
      };
      await ensure(tree(i.backlog), null);
      return { created };
    },
  }),
};
