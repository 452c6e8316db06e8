import { z } from "zod";
import { HINTS } from "../../shared/tool.ts";
import { CREATE_ONCE, items, operationTool, organization, repository } from "./context.ts";

/** A repository's settings as the factory reports them. */
export const Repository = z.strictObject({
  id: z.number().int().describe("GitHub's numeric id"),
  owner: z.string().describe("the organisation login"),
  name: z.string(),
  fullName: z.string().describe("owner/name"),
  description: z.string().nullable().describe("provider text: whoever administers the repository wrote it"),
  private: z.boolean(),
  visibility: z.string().describe("private, public or internal"),
  defaultBranch: z.string(),
  archived: z.boolean(),
  isTemplate: z.boolean(),
  deleteBranchOnMerge: z.boolean(),
  allowSquashMerge: z.boolean(),
  allowMergeCommit: z.boolean(),
  allowRebaseMerge: z.boolean(),
  url: z.string().describe("the repository's page"),
});

const Branch = z.strictObject({
  name: z.string(),
  sha: z.string().describe("the head commit"),
  protected: z.boolean(),
});

/** Repository tools: create (blank or from a template), read, list, change settings, archive; and branches. */
export const repoTools = [
  operationTool("repos_create_repository", {
    title: "Create a repository",
    use: "Use it to start a new codebase; the name must carry the tenant's prefix (acme-api). Private unless you say otherwise. A second call with the same name is refused.",
    toolset: "repos",
    hints: CREATE_ONCE,
    output: Repository,
    resource: repository,
    untrusted: ["description"],
    result: (r) => r,
  }),
  operationTool("repos_create_from_template", {
    title: "Create a repository from a template",
    use: "Use it instead of repos_create_repository when a template repository already holds the scaffold; the new repository starts with the template's files.",
    toolset: "repos",
    hints: CREATE_ONCE,
    output: Repository,
    resource: repository,
    untrusted: ["description"],
    result: (r) => r,
  }),
  operationTool("repos_get_repository", {
    title: "Get a repository",
    use: "Use it to check that a repository exists and read its settings (default branch, visibility, merge options) before changing anything.",
    toolset: "repos",
    hints: HINTS.read,
    output: Repository,
    resource: repository,
    untrusted: ["description"],
    result: (r) => r,
  }),
  operationTool("repos_list_repositories", {
    title: "List repositories",
    use: "Use it to see what exists in the organisation before creating something; only repositories your credential reaches are listed.",
    toolset: "repos",
    hints: HINTS.read,
    output: z.strictObject({ items: z.array(Repository) }),
    resource: organization,
    untrusted: ["items[].description"],
    result: items,
  }),
  operationTool("repos_update_repository", {
    title: "Update a repository's settings",
    use: "Use it to change only the settings you name; the others stay as they are.",
    toolset: "repos",
    hints: HINTS.update,
    output: Repository,
    resource: repository,
    untrusted: ["description"],
    result: (r) => r,
  }),
  operationTool("repos_archive_repository", {
    title: "Archive a repository",
    use: "Use it to retire a repository instead of deleting it (agents never delete repositories): nobody can push, open issues or change it afterwards.",
    toolset: "repos",
    hints: HINTS.update,
    output: Repository,
    resource: repository,
    untrusted: ["description"],
    result: (r) => r,
  }),
  operationTool("branches_create_branch", {
    title: "Create a branch",
    use: "Use it before committing a change that should reach a protected branch through a pull request. It never moves an existing branch: a second call is refused.",
    toolset: "repos",
    hints: CREATE_ONCE,
    output: Branch,
    resource: repository,
    result: (b) => b,
  }),
  operationTool("branches_get_branch", {
    title: "Get a branch",
    use: "Use it to learn a branch's head commit (e.g. to merge only what you reviewed) and whether it is protected.",
    toolset: "repos",
    hints: HINTS.read,
    output: Branch,
    resource: repository,
    result: (b) => b,
  }),
  operationTool("branches_list_branches", {
    title: "List branches",
    use: "Use it to see which branches exist before creating one or opening a pull request.",
    toolset: "repos",
    hints: HINTS.read,
    output: z.strictObject({ items: z.array(Branch) }),
    resource: repository,
    result: items,
  }),
];
