import type { Octokit } from "@octokit/rest";
import type { WebApi } from "azure-devops-node-api";
import { AZURE_DEVOPS_OPERATIONS as ADO } from "../mcp-servers/azure-devops/factory.ts";
import { invoke } from "../mcp-servers/azure-devops/operation.ts";
import type { Scenario } from "./scenario.ts";

/** The scenario's starting state, made as the organisations' owners would, through the providers' own clients. */
export async function seedWorld(scenario: Scenario, octokit: Octokit, azureDevOps: WebApi): Promise<void> {
  await seedGitHub(octokit, scenario);
  await seedAzureDevOps(azureDevOps, scenario);
}

const base64 = (text: string) => Buffer.from(text).toString("base64");

/** Writes `files` on `branch`; a file that is there already is replaced (naming the blob it replaces). */
async function writeFiles(
  octokit: Octokit,
  owner: string,
  repo: string,
  branch: string,
  files: Record<string, string>,
) {
  for (const [path, content] of Object.entries(files)) {
    const existing = await octokit.repos.getContent({ owner, repo, path, ref: branch }).then(
      (r) => (r.data as { sha?: string }).sha,
      () => undefined,
    );
    await octokit.repos.createOrUpdateFileContents({
      owner,
      repo,
      path,
      branch,
      message: `seed ${path}`,
      content: base64(content),
      ...(existing ? { sha: existing } : {}),
    });
  }
}

/** The scenario's repositories: files, protection, issues, and pull requests from branches of their own. */
async function seedGitHub(octokit: Octokit, scenario: Scenario): Promise<void> {
  const owner = scenario.tenant;
  for (const repo of scenario.world.github.repos) {
    const created = await octokit.repos.createInOrg({ org: owner, name: repo.name, auto_init: true });
    const main = created.data.default_branch ?? "main";
    await writeFiles(octokit, owner, repo.name, main, repo.files);
    for (const pull of repo.pulls) {
      const head = await octokit.git.getRef({ owner, repo: repo.name, ref: `heads/${main}` });
      await octokit.git.createRef({
        owner,
        repo: repo.name,
        ref: `refs/heads/${pull.head}`,
        sha: head.data.object.sha,
      });
      await writeFiles(octokit, owner, repo.name, pull.head, pull.files);
      await octokit.pulls.create({
        owner,
        repo: repo.name,
        title: pull.title,
        body: pull.body,
        head: pull.head,
        base: main,
      });
    }
    if (repo.protected)
      await octokit.repos.updateBranchProtection({
        owner,
        repo: repo.name,
        branch: repo.protected,
        required_status_checks: null,
        enforce_admins: true,
        required_pull_request_reviews: { required_approving_review_count: 1 },
        restrictions: null,
      });
    for (const issue of repo.issues) await octokit.issues.create({ owner, repo: repo.name, ...issue });
  }
}

/** The scenario's Azure DevOps projects, their repositories, and their pipelines, each run once. */
async function seedAzureDevOps(client: WebApi, scenario: Scenario): Promise<void> {
  for (const project of scenario.world.azureDevOps.projects) {
    await invoke(client, ADO.projects_create_project, { project: project.name });
    for (const repo of project.repos)
      await invoke(client, ADO.repos_create_repository, { project: project.name, repo });
    for (const pipeline of project.pipelines) {
      if (!project.repos.includes(pipeline.repo))
        throw new Error(
          `world.azureDevOps: pipeline ${pipeline.name}'s repo ${pipeline.repo} is not in ${project.name}'s repos`,
        );
      const at = { project: project.name, repo: pipeline.repo };
      await invoke(client, ADO.repos_push_files, {
        ...at,
        message: `pipeline ${pipeline.name}`,
        files: [{ path: "azure-pipelines.yml", content: pipeline.yaml }],
      });
      const named = { project: project.name, name: pipeline.name };
      await invoke(client, ADO.pipelines_create_pipeline, { ...named, repo: pipeline.repo });
      if (pipeline.run) await invoke(client, ADO.pipelines_run_pipeline, named);
    }
  }
}
