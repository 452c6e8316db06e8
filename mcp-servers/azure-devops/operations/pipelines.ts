import {
  ConfigurationType,
  RepositoryType,
  RunResult,
  RunState,
} from "azure-devops-node-api/interfaces/PipelinesInterfaces.js";
import { z } from "zod";
import type { AzureDevOpsClient } from "../client.ts";
import { AzureDevOpsFactoryError } from "../errors.ts";
import { operation } from "../operation.ts";
import { ProjectName } from "./projects.ts";
import { requireRepo } from "./repos.ts";

const PipelineName = z.string().min(1).max(255).describe("the pipeline's name, e.g. acme-app-ci");

export interface PipelineInfo {
  id: number;
  name: string;
  folder: string;
  path: string | null;
}

export interface RunInfo {
  id: number;
  name: string;
  state: "inProgress" | "completed" | "canceling" | "unknown";
  result: "succeeded" | "failed" | "canceled" | null;
}

const STATE: Record<number, RunInfo["state"]> = {
  [RunState.InProgress]: "inProgress",
  [RunState.Completed]: "completed",
  [RunState.Canceling]: "canceling",
};
const RESULT: Record<number, RunInfo["result"]> = {
  [RunResult.Succeeded]: "succeeded",
  [RunResult.Failed]: "failed",
  [RunResult.Canceled]: "canceled",
};

async function findPipeline(client: AzureDevOpsClient, project: string, name: string) {
  const all = await (await client.getPipelinesApi()).listPipelines(project);
  return all.find((p) => p.name?.toLowerCase() === name.toLowerCase());
}

/** The pipeline an operation works on, by name, or the operation's typed 404. */
async function requirePipeline(client: AzureDevOpsClient, i: { project: string; name: string }, op: string) {
  const pipeline = await findPipeline(client, i.project, i.name);
  if (!pipeline?.id)
    throw new AzureDevOpsFactoryError(
      op,
      `${i.project}/pipelines/${i.name}`,
      404,
      `pipeline ${i.name} does not exist`,
      "PipelineNotFoundException",
    );
  return { ...pipeline, id: pipeline.id };
}

/**
 * Run `runId` of the operation's pipeline, or the operation's typed 404. A run's id is unique in the project,
 * so this is also what keeps a grant on one pipeline from reaching another's runs by id. (The client answers
 * a 404 with null, not an error.)
 */
async function requireRun(
  client: AzureDevOpsClient,
  i: { project: string; name: string; runId: number },
  op: string,
) {
  const pipeline = await requirePipeline(client, i, op);
  const run = await (await client.getPipelinesApi()).getRun(i.project, pipeline.id, i.runId);
  if (!run)
    throw new AzureDevOpsFactoryError(
      op,
      `${i.project}/pipelines/${i.name}/runs/${i.runId}`,
      404,
      `pipeline ${i.name} has no run ${i.runId}`,
      "PipelineRunNotFoundException",
    );
  return run;
}

const toRun = (r: { id?: number; name?: string; state?: number; result?: number }): RunInfo => ({
  id: r.id ?? 0,
  name: r.name ?? "",
  state: STATE[r.state ?? 0] ?? "unknown",
  result: r.result === undefined ? null : (RESULT[r.result] ?? null),
});

export const pipelineOperations = {
  pipelines_create_pipeline: operation({
    name: "pipelines_create_pipeline",
    summary: "Create a YAML pipeline from a file in a project's repository",
    write: true,
    input: z.object({
      project: ProjectName,
      name: PipelineName,
      repo: z.string().min(1).describe("the repository holding the YAML"),
      yamlPath: z
        .string()
        .min(1)
        .default("azure-pipelines.yml")
        .describe("the YAML file's path in the repository"),
      folder: z.string().default("\\").describe("the folder it is shown in"),
    }),
    resource: (i) => `${i.project}/pipelines/${i.name}`,
    run: async (client, i): Promise<PipelineInfo> => {
      const repo = await requireRepo(
        client,
        i.project,
        i.repo,
        "pipelines_create_pipeline",
        `${i.project}/pipelines/${i.name}`,
      );
      const created = await (await client.getPipelinesApi()).createPipeline(
        {
          name: i.name,
          folder: i.folder,
          configuration: {
            type: ConfigurationType.Yaml,
            path: i.yamlPath,
            repository: { id: repo.id, type: RepositoryType.AzureReposGit },
          } as never,
        },
        i.project,
      );
      return {
        id: created.id ?? 0,
        name: created.name ?? i.name,
        folder: created.folder ?? i.folder,
        path: i.yamlPath,
      };
    },
  }),

  pipelines_get_pipeline: operation({
    name: "pipelines_get_pipeline",
    summary: "Get a pipeline by name, or null when there is none",
    write: false,
    input: z.object({ project: ProjectName, name: PipelineName }),
    resource: (i) => `${i.project}/pipelines/${i.name}`,
    run: async (client, i): Promise<PipelineInfo | null> => {
      const found = await findPipeline(client, i.project, i.name);
      if (!found?.id) return null;
      const full = await (await client.getPipelinesApi()).getPipeline(i.project, found.id);
      const path = (full.configuration as { path?: string } | undefined)?.path ?? null;
      return { id: found.id, name: found.name ?? i.name, folder: found.folder ?? "\\", path };
    },
  }),

  pipelines_run_pipeline: operation({
    name: "pipelines_run_pipeline",
    summary: "Queue a run of a pipeline on a branch",
    write: true,
    input: z.object({
      project: ProjectName,
      name: PipelineName,
      branch: z.string().min(1).default("main").describe("the branch to build, e.g. main"),
    }),
    resource: (i) => `${i.project}/pipelines/${i.name}@${i.branch}`,
    run: async (client, i): Promise<RunInfo> => {
      const pipeline = await requirePipeline(client, i, "pipelines_run_pipeline");
      const run = await (await client.getPipelinesApi()).runPipeline(
        { resources: { repositories: { self: { refName: `refs/heads/${i.branch}` } } } },
        i.project,
        pipeline.id,
      );
      return toRun(run as never);
    },
  }),

  pipelines_get_run: operation({
    name: "pipelines_get_run",
    summary: "Get a pipeline run's state and result",
    write: false,
    input: z.object({
      project: ProjectName,
      name: PipelineName,
      runId: z.number().int().positive().describe("the run's id, from pipelines_run_pipeline"),
    }),
    resource: (i) => `${i.project}/pipelines/${i.name}/runs/${i.runId}`,
    run: async (client, i): Promise<RunInfo> =>
      toRun((await requireRun(client, i, "pipelines_get_run")) as never),
  }),

  pipelines_list_runs: operation({
    name: "pipelines_list_runs",
    summary: "List a pipeline's runs, newest first (empty when it has never run)",
    write: false,
    input: z.object({ project: ProjectName, name: PipelineName }),
    resource: (i) => `${i.project}/pipelines/${i.name}/runs`,
    run: async (client, i): Promise<RunInfo[]> => {
      const pipeline = await requirePipeline(client, i, "pipelines_list_runs");
      return (await (await client.getPipelinesApi()).listRuns(i.project, pipeline.id)).map((r) =>
        toRun(r as never),
      );
    },
  }),

  pipelines_get_run_log: operation({
    name: "pipelines_get_run_log",
    summary: "Read a pipeline run's log, every line of every log the run wrote",
    write: false,
    input: z.object({
      project: ProjectName,
      name: PipelineName,
      runId: z
        .number()
        .int()
        .positive()
        .describe("the run's id, from pipelines_run_pipeline or pipelines_list_runs"),
    }),
    resource: (i) => `${i.project}/pipelines/${i.name}/runs/${i.runId}/logs`,
    run: async (client, i): Promise<{ lines: string[] }> => {
      // A run's id is its build's id: first prove it is this pipeline's run.
      await requireRun(client, i, "pipelines_get_run_log");
      const builds = await client.getBuildApi();
      const lines: string[] = [];
      for (const log of await builds.getBuildLogs(i.project, i.runId))
        if (log.id !== undefined) lines.push(...(await builds.getBuildLogLines(i.project, i.runId, log.id)));
      return { lines };
    },
  }),
};
