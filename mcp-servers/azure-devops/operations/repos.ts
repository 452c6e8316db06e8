import {
  GitVersionType,
  ItemContentType,
  VersionControlChangeType,
} from "azure-devops-node-api/interfaces/GitInterfaces.js";
import { z } from "zod";
import type { AzureDevOpsClient } from "../client.ts";
import { AzureDevOpsFactoryError } from "../errors.ts";
import { operation } from "../operation.ts";
import { ProjectName, requireProject } from "./projects.ts";

export const RepoName = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^(?!\.)[^\\/:*?"<>;#${},+=[\]|]+$/,
    'must not start with . or contain \\ / : * ? " < > ; # $ { } , + = [ ] |',
  )
  .describe("the Git repository's name, e.g. acme-app");
export const Path = z
  .string()
  .min(1)
  .regex(/^(?!\/)(?!.*\/\/)(?!.*(^|\/)\.\.?(\/|$)).+$/, "must be a relative path inside the repository")
  .describe("a file path inside the repository, e.g. azure-pipelines.yml");
export const Branch = z
  .string()
  .min(1)
  .max(250)
  .regex(/^[^\s~^:?*[\\]+$/, "must be a valid branch name")
  .describe("a branch, e.g. main");
const Ref = z.object({ project: ProjectName, repo: RepoName });

/** A repository that is not there, as the operation's typed 404. */
export const repoNotFound = (operation: string, resource: string, repo: string) =>
  new AzureDevOpsFactoryError(
    operation,
    resource,
    404,
    `repository ${repo} does not exist`,
    "GitRepositoryNotFoundException",
  );

/** The repository an operation works on, by name or id; the library answers a missing one with null. */
export async function requireRepo(
  client: AzureDevOpsClient,
  project: string,
  repo: string,
  operation: string,
  resource = `${project}/${repo}`,
) {
  const found = await (await client.getGitApi()).getRepository(repo, project);
  if (!found?.id) throw repoNotFound(operation, resource, repo);
  return { ...found, id: found.id };
}

export interface RepoInfo {
  id: string;
  name: string;
  project: string;
  defaultBranch: string | null;
  remoteUrl: string;
}

const ZERO = "0".repeat(40);

async function readRepo(client: AzureDevOpsClient, project: string, repo: string): Promise<RepoInfo | null> {
  const found = await (await client.getGitApi()).getRepository(repo, project);
  if (!found) return null;
  return {
    id: found.id ?? "",
    name: found.name ?? repo,
    project: found.project?.name ?? project,
    defaultBranch: found.defaultBranch?.replace(/^refs\/heads\//, "") ?? null,
    remoteUrl: found.remoteUrl ?? "",
  };
}

/** The text of a file on a branch, or undefined when it (or the branch) does not exist. */
async function readText(
  client: AzureDevOpsClient,
  i: { project: string; repo: string; path: string; branch: string },
) {
  const item = await (await client.getGitApi()).getItem(
    i.repo,
    `/${i.path}`,
    i.project,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    { version: i.branch, versionType: GitVersionType.Branch },
    true,
  );
  return item?.content === undefined ? undefined : String(item.content);
}

/** The default branch and its head commit, or undefined while the repository is empty. */
async function defaultHead(client: AzureDevOpsClient, project: string, repo: string) {
  const git = await client.getGitApi();
  const ref = (await git.getRepository(repo, project))?.defaultBranch;
  if (!ref) return undefined;
  const commitId = (await git.getRefs(repo, project, ref.slice("refs/".length))).find(
    (r) => r.name === ref,
  )?.objectId;
  return commitId ? { branch: ref.slice("refs/heads/".length), commitId } : undefined;
}

export const repoOperations = {
  repos_create_repository: operation({
    name: "repos_create_repository",
    summary: "Create a Git repository in a project (empty until the first push)",
    write: true,
    input: Ref,
    resource: (i) => `${i.project}/${i.repo}`,
    run: async (client, i): Promise<RepoInfo> => {
      const project = await requireProject(
        client,
        i.project,
        "repos_create_repository",
        `${i.project}/${i.repo}`,
      );
      const created = await (await client.getGitApi()).createRepository(
        { name: i.repo, project: { id: project.id } },
        i.project,
      );
      return {
        id: created.id ?? "",
        name: created.name ?? i.repo,
        project: i.project,
        defaultBranch: null,
        remoteUrl: created.remoteUrl ?? "",
      };
    },
  }),

  repos_get_repository: operation({
    name: "repos_get_repository",
    summary: "Get a Git repository by name or id, or null when there is none",
    write: false,
    input: Ref,
    resource: (i) => `${i.project}/${i.repo}`,
    run: (client, i) => readRepo(client, i.project, i.repo),
  }),

  repos_list_repositories: operation({
    name: "repos_list_repositories",
    summary: "List a project's Git repositories",
    write: false,
    input: z.object({ project: ProjectName }),
    resource: (i) => i.project,
    run: async (client, i) =>
      (await (await client.getGitApi()).getRepositories(i.project)).map((r) => ({
        id: r.id ?? "",
        name: r.name ?? "",
      })),
  }),

  repos_get_file: operation({
    name: "repos_get_file",
    summary: "Read a file's text on a branch, or null when there is none",
    write: false,
    input: Ref.extend({ path: Path, branch: Branch.default("main") }),
    resource: (i) => `${i.project}/${i.repo}:${i.path}@${i.branch}`,
    run: async (client, i) => (await readText(client, i)) ?? null,
  }),

  repos_push_files: operation({
    name: "repos_push_files",
    summary:
      "Commit files to a branch in one push (a scaffold, a pipeline YAML); files already holding the text are left out; a new branch starts from the default branch",
    write: true,
    input: Ref.extend({
      branch: Branch.default("main"),
      message: z.string().min(1).max(10_000).describe("the commit message"),
      files: z
        .array(
          z.union([
            z.object({ path: Path, content: z.string().describe("the file's whole new text") }),
            z.object({ path: Path, delete: z.literal(true).describe("delete the file") }),
          ]),
        )
        .min(1)
        .max(1000)
        .describe("the files to write or delete"),
    }),
    resource: (i) => `${i.project}/${i.repo}@${i.branch}`,
    run: async (client, i) => {
      const git = await client.getGitApi();
      // The filter is a prefix: pick the branch itself, not main-2 for main.
      const refs = await git.getRefs(i.repo, i.project, `heads/${i.branch}`);
      // The library answers a missing repository (a 404) with null.
      if (!refs) throw repoNotFound("repos_push_files", `${i.project}/${i.repo}@${i.branch}`, i.repo);
      const head = refs.find((r) => r.name === `refs/heads/${i.branch}`)?.objectId;
      const base = head ? undefined : await defaultHead(client, i.project, i.repo);
      const readFrom = head ? i.branch : base?.branch;
      const changes = [];
      for (const file of i.files) {
        const current = readFrom
          ? await readText(client, { ...i, branch: readFrom, path: file.path })
          : undefined;
        if ("delete" in file) {
          if (current !== undefined)
            changes.push({ changeType: VersionControlChangeType.Delete, item: { path: `/${file.path}` } });
        } else if (current !== file.content)
          changes.push({
            changeType: current === undefined ? VersionControlChangeType.Add : VersionControlChangeType.Edit,
            item: { path: `/${file.path}` },
            newContent: { content: file.content, contentType: ItemContentType.RawText },
          });
      }
      if (changes.length === 0) return { commitId: null, changed: false, files: [] as string[] };
      const push = await git.createPush(
        {
          refUpdates: [{ name: `refs/heads/${i.branch}`, oldObjectId: head ?? ZERO }],
          commits: [{ comment: i.message, changes, ...(base ? { parents: [base.commitId] } : {}) }],
        },
        i.repo,
        i.project,
      );
      return {
        commitId: push.commits?.[0]?.commitId ?? null,
        changed: true,
        files: changes.map((c) => (c.item.path ?? "").replace(/^\//, "")),
      };
    },
  }),
};
