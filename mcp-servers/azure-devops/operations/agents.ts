import { z } from "zod";
import { AzureDevOpsFactoryError } from "../errors.ts";
import { operation } from "../operation.ts";
import { ProjectName, requireProject } from "./projects.ts";

const PoolName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\\/:*?"<>|]+$/, 'must not contain \\ / : * ? " < > |')
  .describe("the agent pool's name");

export const agentOperations = {
  pipelines_create_agent_pool: operation({
    name: "pipelines_create_agent_pool",
    summary: "Create an organisation agent pool for self-hosted agents; one that exists is returned as is",
    write: true,
    input: z.object({ pool: PoolName }),
    resource: (i) => `pools/${i.pool}`,
    run: async (client, i) => {
      const agents = await client.getTaskAgentApi();
      const [existing] = await agents.getAgentPools(i.pool);
      if (existing?.id) return { id: existing.id, name: existing.name ?? i.pool, created: false };
      const created = await agents.addAgentPool({ name: i.pool, autoProvision: false });
      return { id: created.id ?? 0, name: created.name ?? i.pool, created: true };
    },
  }),

  pipelines_create_agent_queue: operation({
    name: "pipelines_create_agent_queue",
    summary:
      "Give a project a queue on an agent pool, so its pipelines can use it; one that exists is returned as is",
    write: true,
    input: z.object({
      project: ProjectName,
      pool: PoolName,
      authorizePipelines: z.boolean().default(false).describe("let every pipeline use it without asking"),
    }),
    resource: (i) => `${i.project}/queues/${i.pool}`,
    run: async (client, i) => {
      const agents = await client.getTaskAgentApi();
      const [existing] = await agents.getAgentQueues(i.project, i.pool);
      if (existing?.id) return { id: existing.id, name: existing.name ?? i.pool, created: false };
      const [pool] = await agents.getAgentPools(i.pool);
      if (!pool?.id)
        throw new AzureDevOpsFactoryError(
          "pipelines_create_agent_queue",
          `${i.project}/queues/${i.pool}`,
          404,
          `agent pool ${i.pool} does not exist`,
          "AgentPoolNotFoundException",
        );
      const created = await agents.addAgentQueue(
        { name: i.pool, pool: { id: pool.id } },
        i.project,
        i.authorizePipelines,
      );
      return { id: created.id ?? 0, name: created.name ?? i.pool, created: true };
    },
  }),

  pipelines_set_variable_group: operation({
    name: "pipelines_set_variable_group",
    summary:
      "Create or replace a project's variable group; secret variables are sent marked secret and never read back",
    write: true,
    input: z.object({
      project: ProjectName,
      name: z.string().min(1).max(255).describe("the group's name, e.g. acme-app-settings"),
      description: z.string().max(1000).default("").describe("what the settings are for"),
      variables: z
        .record(
          z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, "letters, digits, _ and ."),
          z.object({
            value: z.string().describe("the value; a secret one is write-only"),
            isSecret: z.boolean().default(false).describe("store it as a secret, never read back"),
          }),
        )
        .describe("name → value; mark secrets isSecret"),
    }),
    resource: (i) => `${i.project}/variablegroups/${i.name}`,
    run: async (client, i) => {
      const project = await requireProject(
        client,
        i.project,
        "pipelines_set_variable_group",
        `${i.project}/variablegroups/${i.name}`,
      );
      const agents = await client.getTaskAgentApi();
      const parameters = {
        name: i.name,
        description: i.description,
        type: "Vsts",
        variables: i.variables,
        variableGroupProjectReferences: [
          {
            name: i.name,
            description: i.description,
            projectReference: { id: project.id, name: project.name },
          },
        ],
      };
      const [existing] = await agents.getVariableGroups(i.project, i.name);
      const group = existing?.id
        ? await agents.updateVariableGroup(parameters, existing.id)
        : await agents.addVariableGroup(parameters);
      return {
        id: group.id ?? 0,
        name: group.name ?? i.name,
        created: !existing?.id,
        variables: Object.keys(group.variables ?? {}).sort(),
      };
    },
  }),

  pipelines_get_agent_queue: operation({
    name: "pipelines_get_agent_queue",
    summary: "Get a project's queue on an agent pool, or null when the project has none",
    write: false,
    input: z.object({ project: ProjectName, pool: PoolName }),
    resource: (i) => `${i.project}/queues/${i.pool}`,
    run: async (client, i) => {
      const [queue] = await (await client.getTaskAgentApi()).getAgentQueues(i.project, i.pool);
      return queue?.id ? { id: queue.id, name: queue.name ?? i.pool, poolId: queue.pool?.id ?? 0 } : null;
    },
  }),

  pipelines_get_variable_group: operation({
    name: "pipelines_get_variable_group",
    summary: "Get a project's variable group by name, or null; secret values always read back as null",
    write: false,
    input: z.object({
      project: ProjectName,
      name: z.string().min(1).max(255).describe("the group's name, e.g. acme-app-settings"),
    }),
    resource: (i) => `${i.project}/variablegroups/${i.name}`,
    run: async (client, i) => {
      const [group] = await (await client.getTaskAgentApi()).getVariableGroups(i.project, i.name);
      if (!group?.id) return null;
      const variables = Object.fromEntries(
        Object.entries(group.variables ?? {}).map(([k, v]) => [
          k,
          { value: v.isSecret ? null : (v.value ?? ""), isSecret: v.isSecret === true },
        ]),
      );
      return { id: group.id, name: group.name ?? i.name, description: group.description ?? "", variables };
    },
  }),
};
