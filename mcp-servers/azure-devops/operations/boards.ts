import type { JsonPatchOperation } from "azure-devops-node-api/interfaces/common/VSSInterfaces.js";
import { z } from "zod";
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

/** A WIQL string literal. */
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

export const boardOperations = {
  boards_create_work_item: operation({
    name: "boards_create_work_item",
    summary: "Add a work item to the backlog (an epic, feature, story or task), optionally under a parent",
    write: true,
    input: z.object({
      project: ProjectName,
      type: WorkItemType,
      title: z.string().min(1).max(255),
      description: z.string().max(32_000).optional().describe("HTML or Markdown details"),
      parentId: z.number().int().positive().optional().describe("the work item it breaks down"),
    }),
    resource: (i) => `${i.project}/workitems/${i.type}:${i.title}`,
    run: async (client, i) => {
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
    },
  }),

  boards_get_work_item: operation({
    name: "boards_get_work_item",
    summary: "Read a work item",
    write: false,
    input: z.object({ project: ProjectName, id: z.number().int().positive() }),
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
      state: z.string().min(1).optional(),
      parentId: z.number().int().positive().optional(),
    }),
    resource: (i) => `${i.project}/workitems`,
    run: async (client, i) => {
      const where = [
        "[System.TeamProject] = @project",
        ...(i.type ? [`[System.WorkItemType] = ${literal(i.type)}`] : []),
        ...(i.state ? [`[System.State] = ${literal(i.state)}`] : []),
        ...(i.parentId ? [`[System.Parent] = ${i.parentId}`] : []),
      ];
      const wit = await client.getWorkItemTrackingApi();
      const result = await wit.queryByWiql(
        { query: `SELECT [System.Id] FROM WorkItems WHERE ${where.join(" AND ")}` },
        { project: i.project },
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
          i.project,
        );
        items.push(...batch.map(toItem));
      }
      return items;
    },
  }),
};
