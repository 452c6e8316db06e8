import { z } from "zod";
import { defineTool, HINTS } from "../../shared/tool.ts";
import { AZURE_DEVOPS_OPERATIONS as OPS } from "../factory.ts";
import { about, projectResource } from "./common.ts";
import type { AzureDevOpsContext } from "./context.ts";

const Ensured = z.object({
  id: z.number().int(),
  name: z.string(),
  created: z.boolean().describe("false when it already existed and was returned as is"),
});

const Environment = z.object({ id: z.number().int(), name: z.string(), description: z.string() });

/** The pipelines toolset's agent pools and queues, variable groups and deployment environments. */
export const pipelineResourceTools = [
  defineTool({
    name: "pipelines_create_agent_pool",
    title: "Create an agent pool",
    description: about(
      "pipelines_create_agent_pool",
      "Use it only for a pool of self-hosted agents the tenant needs; pools are organisation-wide, so policy holds this for approval. Then give the project a queue with pipelines_create_agent_queue.",
    ),
    toolset: "pipelines",
    hints: HINTS.ensure,
    input: OPS.pipelines_create_agent_pool.input,
    output: Ensured,
    resource: (i) => ({ kind: "agent_pool", name: i.pool }),
    run: (ctx: AzureDevOpsContext, i) => ctx.factory.call("pipelines_create_agent_pool", i),
  }),
  defineTool({
    name: "pipelines_create_agent_queue",
    title: "Give a project an agent queue",
    description: about(
      "pipelines_create_agent_queue",
      "Use it so the project's pipelines can run on an existing agent pool.",
    ),
    toolset: "pipelines",
    hints: HINTS.ensure,
    input: OPS.pipelines_create_agent_queue.input,
    output: Ensured,
    resource: projectResource,
    run: (ctx: AzureDevOpsContext, i) => ctx.factory.call("pipelines_create_agent_queue", i),
  }),
  defineTool({
    name: "pipelines_get_agent_queue",
    title: "Get a project's agent queue",
    description: about("pipelines_get_agent_queue", "Use it to check a project can use an agent pool."),
    toolset: "pipelines",
    hints: HINTS.read,
    input: OPS.pipelines_get_agent_queue.input,
    output: z.object({
      queue: z
        .object({ id: z.number().int(), name: z.string(), poolId: z.number().int() })
        .nullable()
        .describe("null when the project has no queue on the pool"),
    }),
    resource: projectResource,
    run: async (ctx: AzureDevOpsContext, i) => ({
      queue: await ctx.factory.call("pipelines_get_agent_queue", i),
    }),
  }),
  defineTool({
    name: "pipelines_set_variable_group",
    title: "Set a variable group",
    description: about(
      "pipelines_set_variable_group",
      "Use it for the settings pipelines read; it replaces the whole group, so pass every variable. Mark secrets isSecret.",
    ),
    toolset: "pipelines",
    hints: HINTS.update,
    input: OPS.pipelines_set_variable_group.input,
    output: Ensured.extend({ variables: z.array(z.string()).describe("the group's variable names, sorted") }),
    resource: projectResource,
    sensitive: ["variables"],
    run: (ctx: AzureDevOpsContext, i) => ctx.factory.call("pipelines_set_variable_group", i),
  }),
  defineTool({
    name: "pipelines_get_variable_group",
    title: "Get a variable group",
    description: about(
      "pipelines_get_variable_group",
      "Use it to read a group's plain settings and which variables are secret.",
    ),
    toolset: "pipelines",
    hints: HINTS.read,
    input: OPS.pipelines_get_variable_group.input,
    output: z.object({
      group: z
        .object({
          id: z.number().int(),
          name: z.string(),
          description: z.string(),
          variables: z.record(
            z.string(),
            z.object({ value: z.string().nullable().describe("null for a secret"), isSecret: z.boolean() }),
          ),
        })
        .nullable()
        .describe("null when there is no such group"),
    }),
    resource: projectResource,
    untrusted: ["group.description"],
    run: async (ctx: AzureDevOpsContext, i) => ({
      group: await ctx.factory.call("pipelines_get_variable_group", i),
    }),
  }),
  defineTool({
    name: "pipelines_create_environment",
    title: "Create a deployment environment",
    description: about(
      "pipelines_create_environment",
      "Use it for a deployment target such as production, then guard it with pipelines_set_environment_approval.",
    ),
    toolset: "pipelines",
    hints: HINTS.ensure,
    input: OPS.pipelines_create_environment.input,
    output: Environment.extend({ created: z.boolean().describe("false when it already existed") }),
    resource: projectResource,
    untrusted: ["description"],
    run: (ctx: AzureDevOpsContext, i) => ctx.factory.call("pipelines_create_environment", i),
  }),
  defineTool({
    name: "pipelines_get_environment",
    title: "Get a deployment environment",
    description: about("pipelines_get_environment", "Use it to check an environment exists."),
    toolset: "pipelines",
    hints: HINTS.read,
    input: OPS.pipelines_get_environment.input,
    output: z.object({
      environment: Environment.nullable().describe("null when there is no such environment"),
    }),
    resource: projectResource,
    untrusted: ["environment.description"],
    run: async (ctx: AzureDevOpsContext, i) => ({
      environment: await ctx.factory.call("pipelines_get_environment", i),
    }),
  }),
  defineTool({
    name: "pipelines_set_environment_approval",
    title: "Require approval to deploy to an environment",
    description: about(
      "pipelines_set_environment_approval",
      "Use it to make people approve every deployment to an environment such as production; it replaces the approval check's settings.",
    ),
    toolset: "pipelines",
    hints: HINTS.update,
    input: OPS.pipelines_set_environment_approval.input,
    output: z.object({
      id: z.number().int().describe("the approval check's id"),
      environmentId: z.number().int(),
      created: z.boolean(),
      updated: z.boolean(),
    }),
    resource: projectResource,
    run: (ctx: AzureDevOpsContext, i) => ctx.factory.call("pipelines_set_environment_approval", i),
  }),
  defineTool({
    name: "pipelines_list_environment_checks",
    title: "List an environment's checks",
    description: about(
      "pipelines_list_environment_checks",
      "Use it to see who must approve deployments to an environment.",
    ),
    toolset: "pipelines",
    hints: HINTS.read,
    input: OPS.pipelines_list_environment_checks.input,
    output: z.object({
      items: z.array(
        z.object({
          id: z.number().int(),
          type: z.string().describe("e.g. Approval"),
          timeoutMinutes: z.number().int().nullable(),
          approvers: z.array(z.string()).describe("identity ids"),
          minRequiredApprovers: z.number().int().nullable(),
          instructions: z.string().nullable(),
        }),
      ),
    }),
    resource: projectResource,
    untrusted: ["items[].instructions"],
    run: async (ctx: AzureDevOpsContext, i) => ({
      items: await ctx.factory.call("pipelines_list_environment_checks", i),
    }),
  }),
];
