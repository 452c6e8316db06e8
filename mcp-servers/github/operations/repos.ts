import { z } from "zod";
import { operation } from "../operation.ts";
import { Org, RepoName, RepoRef, repoResource } from "./fields.ts";

export interface Repository {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  description: string | null;
  private: boolean;
  visibility: string;
  defaultBranch: string;
  archived: boolean;
  isTemplate: boolean;
  deleteBranchOnMerge: boolean;
  allowSquashMerge: boolean;
  allowMergeCommit: boolean;
  allowRebaseMerge: boolean;
  url: string;
}

/** The fields of GitHub's repository object the factory reads (full, minimal and template shapes all carry them). */
interface RepoJson {
  id: number;
  name: string;
  full_name: string;
  private: boolean;
  html_url: string;
  description?: string | null;
  visibility?: string;
  default_branch?: string;
  archived?: boolean;
  is_template?: boolean;
  delete_branch_on_merge?: boolean;
  allow_squash_merge?: boolean;
  allow_merge_commit?: boolean;
  allow_rebase_merge?: boolean;
}

export function toRepository(r: RepoJson): Repository {
  return {
    id: r.id,
    owner: r.full_name.split("/")[0] ?? "",
    name: r.name,
    fullName: r.full_name,
    description: r.description ?? null,
    private: r.private,
    visibility: r.visibility ?? (r.private ? "private" : "public"),
    defaultBranch: r.default_branch ?? "main",
    archived: r.archived ?? false,
    isTemplate: r.is_template ?? false,
    deleteBranchOnMerge: r.delete_branch_on_merge ?? false,
    allowSquashMerge: r.allow_squash_merge ?? true,
    allowMergeCommit: r.allow_merge_commit ?? true,
    allowRebaseMerge: r.allow_rebase_merge ?? true,
    url: r.html_url,
  };
}

export const RepoSettings = z.object({
  description: z.string().max(350).optional().describe("a short description"),
  visibility: z.enum(["private", "public"]).optional().describe("who can see it; private by default"),
  isTemplate: z.boolean().optional().describe("whether other repositories can be generated from it"),
  deleteBranchOnMerge: z.boolean().optional().describe("delete head branches once their pull request merges"),
  allowSquashMerge: z.boolean().optional().describe("allow squash merges of pull requests"),
  allowMergeCommit: z.boolean().optional().describe("allow merge commits of pull requests"),
  allowRebaseMerge: z.boolean().optional().describe("allow rebase merges of pull requests"),
  hasWiki: z.boolean().optional().describe("turn the repository's wiki on or off"),
  hasProjects: z.boolean().optional().describe("turn the repository's projects board on or off"),
});
type RepoSettings = z.output<typeof RepoSettings>;

const settingsBody = (s: RepoSettings) => ({
  ...(s.description !== undefined ? { description: s.description } : {}),
  ...(s.visibility !== undefined ? { visibility: s.visibility, private: s.visibility !== "public" } : {}),
  ...(s.isTemplate !== undefined ? { is_template: s.isTemplate } : {}),
  ...(s.deleteBranchOnMerge !== undefined ? { delete_branch_on_merge: s.deleteBranchOnMerge } : {}),
  ...(s.allowSquashMerge !== undefined ? { allow_squash_merge: s.allowSquashMerge } : {}),
  ...(s.allowMergeCommit !== undefined ? { allow_merge_commit: s.allowMergeCommit } : {}),
  ...(s.allowRebaseMerge !== undefined ? { allow_rebase_merge: s.allowRebaseMerge } : {}),
  ...(s.hasWiki !== undefined ? { has_wiki: s.hasWiki } : {}),
  ...(s.hasProjects !== undefined ? { has_projects: s.hasProjects } : {}),
});

export const repoOperations = {
  repos_create_repository: operation({
    name: "repos_create_repository",
    summary: "Create a repository in an organisation, with a first commit on its default branch",
    write: true,
    input: RepoSettings.extend({ owner: Org, repo: RepoName }),
    resource: repoResource,
    run: async (client, { owner, repo, ...settings }) =>
      toRepository(
        (
          await client.rest.repos.createInOrg({
            org: owner,
            name: repo,
            auto_init: true,
            ...settingsBody({ visibility: "private", ...settings }),
          })
        ).data,
      ),
  }),

  repos_create_from_template: operation({
    name: "repos_create_from_template",
    summary: "Create a repository from a template repository",
    write: true,
    input: z.object({
      templateOwner: Org.describe("the template's owner"),
      templateRepo: RepoName.describe("the template repository"),
      owner: Org,
      repo: RepoName,
      description: z.string().max(350).optional().describe("a short description"),
      visibility: z
        .enum(["private", "public"])
        .default("private")
        .describe("who can see it; private by default"),
    }),
    resource: repoResource,
    run: async (client, i) =>
      toRepository(
        (
          await client.rest.repos.createUsingTemplate({
            template_owner: i.templateOwner,
            template_repo: i.templateRepo,
            owner: i.owner,
            name: i.repo,
            private: i.visibility === "private",
            ...(i.description !== undefined ? { description: i.description } : {}),
          })
        ).data,
      ),
  }),

  repos_get_repository: operation({
    name: "repos_get_repository",
    summary: "Get a repository's settings",
    write: false,
    input: RepoRef,
    resource: repoResource,
    run: async (client, i) => toRepository((await client.rest.repos.get(i)).data),
  }),

  repos_list_repositories: operation({
    name: "repos_list_repositories",
    summary: "List an organisation's repositories the credential can see",
    write: false,
    input: z.object({ owner: Org }),
    resource: (i) => i.owner,
    run: async (client, i) =>
      (await client.paginate(client.rest.repos.listForOrg, { org: i.owner, per_page: 100 })).map((r) =>
        toRepository(r),
      ),
  }),

  repos_update_repository: operation({
    name: "repos_update_repository",
    summary: "Change a repository's settings (description, visibility, merge options, template flag)",
    write: true,
    input: RepoSettings.extend({ owner: Org, repo: RepoName }),
    resource: repoResource,
    run: async (client, { owner, repo, ...settings }) =>
      toRepository((await client.rest.repos.update({ owner, repo, ...settingsBody(settings) })).data),
  }),

  repos_archive_repository: operation({
    name: "repos_archive_repository",
    summary: "Archive a repository: it becomes read-only",
    write: true,
    input: RepoRef,
    resource: repoResource,
    run: async (client, i) => toRepository((await client.rest.repos.update({ ...i, archived: true })).data),
  }),
};
