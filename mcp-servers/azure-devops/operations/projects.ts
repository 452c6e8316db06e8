import { setTimeout as sleep } from "node:timers/promises";
import { ProjectVisibility } from "azure-devops-node-api/interfaces/CoreInterfaces.js";
import { z } from "zod";
import type { AzureDevOpsClient } from "../client.ts";
import { AzureDevOpsFactoryError } from "../errors.ts";
import { operation } from "../operation.ts";

export const ProjectName = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^(?![._])[^\\/:*?"<>;#${},+=[\]|]+(?<![.])$/,
    'must not start with . or _, end with ., or contain \\ / : * ? " < > ; # $ { } , + = [ ] |',
  )
  .describe("the project's name; each startup tenant is one project, e.g. tenant-acme");

export interface ProjectInfo {
  id: string;
  name: string;
  description: string;
  state: string;
  visibility: "private" | "public";
}

const AGILE = "adcc42ab-9882-485e-a3ed-7678f01f66bc";

async function readProject(client: AzureDevOpsClient, name: string): Promise<ProjectInfo | null> {
  const core = await client.getCoreApi();
  const project = await core.getProject(name);
  if (!project) return null;
  return {
    id: project.id ?? "",
    name: project.name ?? name,
    description: project.description ?? "",
    // The library leaves the state untyped: the service's own string (wellFormed, createPending, …).
    state: String(project.state ?? "unknown"),
    visibility: project.visibility === ProjectVisibility.Public ? "public" : "private",
  };
}

/**
 * The project an operation works in, by name or id, with its id and name; a missing one is the operation's
 * 404 (the client library answers null, not an error).
 */
export async function requireProject(
  client: AzureDevOpsClient,
  project: string,
  operation: string,
  resource: string,
) {
  const found = await (await client.getCoreApi()).getProject(project);
  if (!found?.id)
    throw new AzureDevOpsFactoryError(
      operation,
      resource,
      404,
      `project ${project} does not exist`,
      "ProjectDoesNotExistWithNameException",
    );
  return { id: found.id, name: found.name ?? project };
}

export const projectOperations = {
  projects_create_project: operation({
    name: "projects_create_project",
    summary: "Create a project (queued by Azure DevOps) and wait until it is well-formed",
    write: true,
    input: z.object({
      project: ProjectName,
      description: z.string().max(1000).default("").describe("what the project is for"),
      visibility: z
        .enum(["private", "public"])
        .default("private")
        .describe("private (members only, the default) or public"),
      timeoutSeconds: z
        .number()
        .int()
        .min(1)
        .max(600)
        .default(120)
        .describe("how long to wait for the queued creation"),
    }),
    resource: (i) => `project ${i.project}`,
    run: async (client, i): Promise<ProjectInfo> => {
      const core = await client.getCoreApi();
      const queued = await core.queueCreateProject({
        name: i.project,
        description: i.description,
        visibility: i.visibility === "public" ? ProjectVisibility.Public : ProjectVisibility.Private,
        capabilities: {
          versioncontrol: { sourceControlType: "Git" },
          processTemplate: { templateTypeId: AGILE },
        },
      });
      // The client library has no operations client: poll the operation's URL until the project is well-formed.
      const deadline = Date.now() + i.timeoutSeconds * 1000;
      let delay = 100;
      while (Date.now() < deadline) {
        const status = queued.url
          ? (await client.rest.get<{ status: string; resultMessage?: string }>(queued.url)).result
          : null;
        if (status?.status === "failed" || status?.status === "cancelled")
          throw new AzureDevOpsFactoryError(
            "projects_create_project",
            `project ${i.project}`,
            0,
            `creation ${status.status}: ${status.resultMessage ?? ""}`.trim(),
            undefined,
          );
        const project = status?.status === "succeeded" ? await readProject(client, i.project) : null;
        if (project?.state === "wellFormed") return project;
        await sleep(delay);
        delay = Math.min(delay * 2, 2000);
      }
      throw new AzureDevOpsFactoryError(
        "projects_create_project",
        `project ${i.project}`,
        0,
        `the project was not well-formed within ${i.timeoutSeconds} s (operation ${queued.id})`,
        undefined,
      );
    },
  }),

  projects_get_project: operation({
    name: "projects_get_project",
    summary: "Get a project by name or id, or null when there is none",
    write: false,
    input: z.object({ project: z.string().min(1).describe("the project's name or id") }),
    resource: (i) => `project ${i.project}`,
    run: (client, i) => readProject(client, i.project),
  }),

  projects_list_projects: operation({
    name: "projects_list_projects",
    summary: "List the organisation's well-formed projects",
    write: false,
    input: z.object({}),
    resource: () => "projects",
    run: async (client) =>
      (await (await client.getCoreApi()).getProjects()).map((p) => ({
        id: p.id ?? "",
        name: p.name ?? "",
        state: String(p.state),
      })),
  }),
};
