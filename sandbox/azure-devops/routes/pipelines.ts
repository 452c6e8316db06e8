import type { Context } from "hono";
import { Hono } from "hono";
import { parse as parseYaml } from "yaml";
import { type BlobObject, type CommitObject, flatten, getObject, getRef } from "../../git.ts";
import { type AdoEnv, requireScope } from "../auth.ts";
import { AzureDevOpsError } from "../errors.ts";
import { type AdoRepo, type Pipeline, type Project, pipelineKey, type Run } from "../model.ts";
import { requireQueueBuilds } from "../permissions.ts";
import { runLog } from "../run-log.ts";
import { wellFormedProject } from "./projects.ts";

type Body = Record<string, unknown>;

const apiBase = (c: Context) => `${new URL(c.req.url).origin}/${c.req.param("org")}`;

function pipelineJson(c: Context, project: Project, p: Pipeline) {
  const url = `${apiBase(c)}/${project.id}/_apis/pipelines/${p.id}?revision=${p.revision}`;
  return {
    id: p.id,
    name: p.name,
    folder: p.folder,
    revision: p.revision,
    url,
    _links: {
      self: { href: url },
      web: { href: `${apiBase(c)}/${project.id}/_build/definition?definitionId=${p.id}` },
    },
    configuration: { type: "yaml", path: p.path, repository: { id: p.repoId, type: "azureReposGit" } },
  };
}

function runJson(c: Context, project: Project, p: Pipeline, r: Run) {
  const done = new Date(r.finishAt) <= new Date();
  const url = `${apiBase(c)}/${project.id}/_apis/pipelines/${p.id}/runs/${r.id}`;
  return {
    id: r.id,
    name: r.name,
    state: done ? "completed" : "inProgress",
    ...(done ? { result: r.outcome, finishedDate: r.finishAt } : {}),
    createdDate: r.createdDate,
    url,
    _links: { self: { href: url } },
    pipeline: {
      id: p.id,
      name: p.name,
      folder: p.folder,
      revision: p.revision,
      url: `${apiBase(c)}/${project.id}/_apis/pipelines/${p.id}?revision=${p.revision}`,
    },
    resources: {
      repositories: {
        self: {
          refName: r.refName,
          ...(r.commitId ? { version: r.commitId } : {}),
          repository: { id: p.repoId, type: "azureReposGit" },
        },
      },
    },
  };
}

/** The YAML text at `path` on `branch` of a repository, or undefined. */
async function yamlAt(
  c: Context<AdoEnv>,
  repo: AdoRepo,
  branch: string,
  path: string,
): Promise<string | undefined> {
  const objects = c.get("objects");
  const ref = await getRef(objects, repo, `refs/heads/${branch}`);
  const commit = ref ? await getObject<CommitObject>(objects, repo, ref.sha, "commit") : undefined;
  const sha = commit
    ? (await flatten(objects, repo, commit.tree)).get(path.replace(/^\/+/, ""))?.sha
    : undefined;
  const blob = sha ? await getObject<BlobObject>(objects, repo, sha, "blob") : undefined;
  return blob ? Buffer.from(blob.content, "base64").toString("utf8") : undefined;
}

/** A pipeline YAML describes work when it parses and has steps, jobs or stages. */
function describesWork(text: string): boolean {
  try {
    const doc = parseYaml(text) as Record<string, unknown> | null;
    return Boolean(doc && (doc.steps || doc.jobs || doc.stages));
  } catch {
    return false;
  }
}

/** YAML pipelines: create from a file in a repository, list, get, run, and runs that finish asynchronously. */
export function pipelineRoutes(options: { runMs: number }): Hono<AdoEnv> {
  const app = new Hono<AdoEnv>();
  const one = async (c: Context<AdoEnv>, project: Project) => {
    const pipeline = await c
      .get("objects")
      .get<Pipeline>("pipeline", pipelineKey(project.id, Number(c.req.param("pipelineId"))));
    if (!pipeline)
      throw new AzureDevOpsError(
        404,
        `Pipeline with id ${c.req.param("pipelineId")} not found.`,
        "PipelineNotFoundException",
      );
    return pipeline;
  };

  app.post("/:org/:project/_apis/pipelines", async (c) => {
    await requireScope(c, "vso.build_execute");
    const project = await wellFormedProject(c);
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const config = (body.configuration ?? {}) as {
      type?: unknown;
      path?: string;
      repository?: { id?: string; type?: unknown };
    };
    const name = typeof body.name === "string" ? body.name.trim() : "";
    if (!name) throw new AzureDevOpsError(400, "The pipeline needs a name.", "InvalidArgumentValueException");
    if (
      !(config.type === 1 || String(config.type).toLowerCase() === "yaml") ||
      !config.path ||
      !config.repository?.id
    )
      throw new AzureDevOpsError(
        400,
        "The configuration needs type yaml, a path and a repository id.",
        "InvalidArgumentValueException",
      );
    const repos = await objects.list<AdoRepo>("repo", `${c.req.param("org").toLowerCase()}/${project.id}/`);
    const repo = repos.find((r) => r.id === String(config.repository?.id).toLowerCase());
    if (!repo)
      throw new AzureDevOpsError(
        404,
        `TF401019: The Git repository with identifier ${config.repository.id} does not exist.`,
        "GitRepositoryNotFoundException",
      );
    if ((await yamlAt(c, repo, repo.defaultBranch, config.path)) === undefined)
      throw new AzureDevOpsError(
        400,
        `File ${config.path} not found in repository ${repo.name} branch refs/heads/${repo.defaultBranch}.`,
        "PipelineValidationException",
      );
    const folder = typeof body.folder === "string" ? body.folder : "\\";
    const existing = await objects.list<Pipeline>("pipeline", `${project.id}/`);
    if (existing.some((p) => p.name.toLowerCase() === name.toLowerCase() && p.folder === folder))
      throw new AzureDevOpsError(
        409,
        `The pipeline name '${name}' is already in use in folder '${folder}'.`,
        "DefinitionExistsException",
      );
    const pipeline: Pipeline = {
      id: await objects.nextId(),
      projectId: project.id,
      name,
      folder,
      repoId: repo.id,
      path: config.path,
      revision: 1,
    };
    await objects.put("pipeline", pipelineKey(project.id, pipeline.id), pipeline);
    return c.json(pipelineJson(c, project, pipeline), 200);
  });

  app.get("/:org/:project/_apis/pipelines", async (c) => {
    await requireScope(c, "vso.build");
    const project = await wellFormedProject(c);
    const all = await c.get("objects").list<Pipeline>("pipeline", `${project.id}/`);
    return c.json({ count: all.length, value: all.map((p) => pipelineJson(c, project, p)) });
  });

  app.get("/:org/:project/_apis/pipelines/:pipelineId{[0-9]+}", async (c) => {
    await requireScope(c, "vso.build");
    const project = await wellFormedProject(c);
    return c.json(pipelineJson(c, project, await one(c, project)));
  });

  app.post("/:org/:project/_apis/pipelines/:pipelineId{[0-9]+}/runs", async (c) => {
    const pat = await requireScope(c, "vso.build_execute");
    const project = await wellFormedProject(c);
    const pipeline = await one(c, project);
    const objects = c.get("objects");
    await requireQueueBuilds(objects, c.req.param("org").toLowerCase(), pat.user, project.id, pipeline.id);
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const self = (
      (body.resources as Body | undefined)?.repositories as Record<string, { refName?: string }> | undefined
    )?.self;
    const repos = await objects.list<AdoRepo>("repo", `${c.req.param("org").toLowerCase()}/${project.id}/`);
    const repo = repos.find((r) => r.id === pipeline.repoId) as AdoRepo;
    const refName = self?.refName ?? `refs/heads/${repo.defaultBranch}`;
    const yaml = await yamlAt(c, repo, refName.replace(/^refs\/heads\//, ""), pipeline.path);
    if (yaml === undefined)
      throw new AzureDevOpsError(
        400,
        `File ${pipeline.path} not found at ${refName}.`,
        "PipelineValidationException",
      );
    const runs = await objects.list<Run>("run", `${pipelineKey(project.id, pipeline.id)}/`);
    const head = await getRef(objects, repo, refName);
    const now = new Date();
    const run: Run = {
      id: await objects.nextId(),
      pipelineId: pipeline.id,
      name: `${now.toISOString().slice(0, 10).replaceAll("-", "")}.${runs.length + 1}`,
      refName,
      ...(head ? { commitId: head.sha } : {}),
      createdDate: now.toISOString(),
      finishAt: new Date(now.getTime() + options.runMs).toISOString(),
      outcome: describesWork(yaml) ? "succeeded" : "failed",
      log: runLog(yaml),
    };
    await objects.put(
      "run",
      `${pipelineKey(project.id, pipeline.id)}/${String(run.id).padStart(8, "0")}`,
      run,
    );
    return c.json(runJson(c, project, pipeline, run));
  });

  app.get("/:org/:project/_apis/pipelines/:pipelineId{[0-9]+}/runs", async (c) => {
    await requireScope(c, "vso.build");
    const project = await wellFormedProject(c);
    const pipeline = await one(c, project);
    const runs = await c.get("objects").list<Run>("run", `${pipelineKey(project.id, pipeline.id)}/`);
    return c.json({ count: runs.length, value: runs.reverse().map((r) => runJson(c, project, pipeline, r)) });
  });

  app.get("/:org/:project/_apis/pipelines/:pipelineId{[0-9]+}/runs/:runId{[0-9]+}", async (c) => {
    await requireScope(c, "vso.build");
    const project = await wellFormedProject(c);
    const pipeline = await one(c, project);
    const run = await c
      .get("objects")
      .get<Run>("run", `${pipelineKey(project.id, pipeline.id)}/${c.req.param("runId").padStart(8, "0")}`);
    if (!run)
      throw new AzureDevOpsError(
        404,
        `Run ${c.req.param("runId")} not found.`,
        "PipelineRunNotFoundException",
      );
    return c.json(runJson(c, project, pipeline, run));
  });

  // A run's logs, through the Build API (a pipeline run's id is its build's id): one log, its lines.
  const runById = async (c: Context<AdoEnv>, project: Project) => {
    const runs = await c.get("objects").list<Run>("run", `${project.id}/`);
    const run = runs.find((r) => r.id === Number(c.req.param("buildId")));
    if (!run)
      throw new AzureDevOpsError(
        404,
        `The requested build ${c.req.param("buildId")} could not be found.`,
        "BuildNotFoundException",
      );
    return run;
  };
  const logs = "/:org/:project/_apis/build/builds/:buildId{[0-9]+}/logs";
  app.get(logs, async (c) => {
    await requireScope(c, "vso.build");
    const project = await wellFormedProject(c);
    const run = await runById(c, project);
    const url = `${apiBase(c)}/${project.id}/_apis/build/builds/${run.id}/logs/1`;
    return c.json({
      count: 1,
      value: [{ id: 1, type: "Container", lineCount: run.log?.length ?? 0, createdOn: run.createdDate, url }],
    });
  });
  app.get(`${logs}/:logId{[0-9]+}`, async (c) => {
    await requireScope(c, "vso.build");
    const project = await wellFormedProject(c);
    const run = await runById(c, project);
    if (c.req.param("logId") !== "1")
      throw new AzureDevOpsError(404, `Log ${c.req.param("logId")} not found.`, "BuildLogNotFoundException");
    const lines = run.log ?? [];
    return c.json({ count: lines.length, value: lines });
  });

  return app;
}
