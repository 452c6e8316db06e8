import type { AzureDevOpsBlueprint } from "./blueprint.ts";
import type { AdoPlanner } from "./planner.ts";

/** The project itself; returns whether it exists (when not, everything in it is planned without reading). */
export async function planProject(p: AdoPlanner, b: AzureDevOpsBlueprint): Promise<boolean> {
  const current = await p.factory.call("projects_get_project", { project: b.project });
  p.settle(
    `project ${b.project}`,
    current !== null,
    current
      ? undefined
      : {
          tool: "projects_create_project",
          input: { project: b.project, description: b.description },
          changes: { project: [null, b.project] },
          calls: 3,
        },
  );
  return current !== null;
}

/** Each repository, and its files on main in one push of only what differs. */
export async function planRepos(
  p: AdoPlanner,
  b: AzureDevOpsBlueprint,
  projectExists: boolean,
): Promise<void> {
  for (const repo of b.repos) {
    const ref = { project: b.project, repo: repo.name };
    const current = projectExists ? await p.factory.call("repos_get_repository", ref) : null;
    p.settle(
      `${b.project}/${repo.name}`,
      current !== null,
      current
        ? undefined
        : { tool: "repos_create_repository", input: ref, changes: { repo: [null, repo.name] }, calls: 2 },
    );
    const changed = [];
    for (const file of repo.files) {
      const now = current?.defaultBranch
        ? await p.factory.call("repos_get_file", { ...ref, path: file.path })
        : null;
      if (now !== file.content) changed.push(file);
    }
    p.settle(
      `${b.project}/${repo.name}@main`,
      current?.defaultBranch != null,
      p.when(Object.fromEntries(changed.map((f) => [f.path, "content"])), {
        tool: "repos_push_files",
        input: { ...ref, branch: "main", message: "Scaffold from the tenant's blueprint", files: changed },
        calls: 2 + changed.length,
      }),
    );
  }
}

/** Each YAML pipeline, and a first run once it exists (checked again on re-plan, so a lost run is queued). */
export async function planPipelines(
  p: AdoPlanner,
  b: AzureDevOpsBlueprint,
  projectExists: boolean,
): Promise<void> {
  for (const pipeline of b.pipelines) {
    const ref = { project: b.project, name: pipeline.name };
    const current = projectExists ? await p.factory.call("pipelines_get_pipeline", ref) : null;
    p.settle(
      `${b.project}/pipelines/${pipeline.name}`,
      current !== null,
      // The Pipelines API cannot change a pipeline's YAML path, so an existing pipeline is left as it is.
      current
        ? undefined
        : {
            tool: "pipelines_create_pipeline",
            input: { ...ref, repo: pipeline.repo, yamlPath: pipeline.yamlPath },
            changes: { pipeline: [null, pipeline.name] },
            calls: 3,
          },
    );
    if (!pipeline.firstRun) continue;
    const runs = current ? await p.factory.call("pipelines_list_runs", ref) : [];
    p.settle(
      `${b.project}/pipelines/${pipeline.name}/first-run`,
      runs.length > 0,
      runs.length > 0
        ? undefined
        : {
            tool: "pipelines_run_pipeline",
            input: { ...ref, branch: "main" },
            changes: { runs: [0, 1] },
            calls: 3,
          },
    );
  }
}
