import { z } from "zod";
import { defineTool, HINTS } from "../../shared/tool.ts";
import { AZURE_DEVOPS_OPERATIONS as OPS } from "../factory.ts";
import { about, nameInProject, projectResource } from "./common.ts";
import type { AzureDevOpsContext } from "./context.ts";

/** The service_connections toolset: the credentials pipelines use to reach other services. */
export const serviceConnectionTools = [
  defineTool({
    name: "service_connections_create_connection",
    title: "Create a service connection",
    description: about(
      "service_connections_create_connection",
      "Use it when a pipeline must deploy to or pull from another service; name it <tenant>-<purpose> (e.g. acme-azure). It waits for a person's approval; an existing one is returned as is.",
    ),
    toolset: "service_connections",
    hints: HINTS.ensure,
    input: OPS.service_connections_create_connection.input,
    output: z.object({
      id: z.string(),
      name: z.string(),
      created: z.boolean().describe("false when it already existed and was returned as is"),
    }),
    resource: (i) => ({ kind: "service_connection", name: nameInProject(i.project, i.name) }),
    sensitive: ["parameters"],
    run: (ctx: AzureDevOpsContext, i) => ctx.factory.call("service_connections_create_connection", i),
  }),
  defineTool({
    name: "service_connections_list_connections",
    title: "List a project's service connections",
    description: about(
      "service_connections_list_connections",
      "Use it to see which services the project's pipelines can reach.",
    ),
    toolset: "service_connections",
    hints: HINTS.read,
    input: OPS.service_connections_list_connections.input,
    output: z.object({
      items: z.array(z.object({ id: z.string(), name: z.string(), type: z.string(), url: z.string() })),
    }),
    resource: projectResource,
    run: async (ctx: AzureDevOpsContext, i) => ({
      items: await ctx.factory.call("service_connections_list_connections", i),
    }),
  }),
];
