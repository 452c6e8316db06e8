import { z } from "zod";
import { defineTool, HINTS } from "../../shared/tool.ts";
import { AZURE_DEVOPS_OPERATIONS as OPS } from "../factory.ts";
import { about, projectResource } from "./common.ts";
import type { AzureDevOpsContext } from "./context.ts";

const Project = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  state: z.string().describe("wellFormed once ready; createPending while queued"),
  visibility: z.enum(["private", "public"]),
});

/** The projects toolset: each startup tenant is one project, `tenant-<tenant>`. */
export const projectTools = [
  defineTool({
    name: "projects_create_project",
    title: "Create a project",
    description: about(
      "projects_create_project",
      "Use it once per tenant, for its project tenant-<tenant>; a project that already exists is refused (409), so read it with projects_get_project first.",
    ),
    toolset: "projects",
    hints: HINTS.add,
    input: OPS.projects_create_project.input,
    output: Project,
    resource: projectResource,
    untrusted: ["description"],
    run: (ctx: AzureDevOpsContext, i) => ctx.factory.call("projects_create_project", i),
  }),
  defineTool({
    name: "projects_get_project",
    title: "Get a project",
    description: about(
      "projects_get_project",
      "Use it to check that a tenant's project exists and is ready (state wellFormed) before working in it.",
    ),
    toolset: "projects",
    hints: HINTS.read,
    input: OPS.projects_get_project.input,
    output: z.object({ project: Project.nullable().describe("null when there is no such project") }),
    resource: projectResource,
    untrusted: ["project.description"],
    run: async (ctx: AzureDevOpsContext, i) => ({
      project: await ctx.factory.call("projects_get_project", i),
    }),
  }),
  defineTool({
    name: "projects_list_projects",
    title: "List the organisation's projects",
    description: about(
      "projects_list_projects",
      "Platform-only: it shows every tenant's project, so tenant roles cannot call it; a tenant reads its own with projects_get_project.",
    ),
    toolset: "projects",
    hints: HINTS.read,
    input: OPS.projects_list_projects.input,
    output: z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), state: z.string() })) }),
    resource: () => ({ kind: "organization", name: "projects" }),
    run: async (ctx: AzureDevOpsContext, i) => ({
      items: await ctx.factory.call("projects_list_projects", i),
    }),
  }),
];
