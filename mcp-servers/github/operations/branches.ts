import { z } from "zod";
import { operation } from "../operation.ts";
import { Branch, Org, RepoName, RepoRef, repoResource } from "./fields.ts";

export interface BranchInfo {
  name: string;
  sha: string;
  protected: boolean;
}

export const branchOperations = {
  branches_create_branch: operation({
    name: "branches_create_branch",
    summary: "Create a branch from another branch (the default branch if none is named)",
    write: true,
    input: z.object({
      owner: Org,
      repo: RepoName,
      branch: Branch,
      from: Branch.optional().describe("the branch to start from"),
    }),
    resource: (i) => `${repoResource(i)}@${i.branch}`,
    run: async (client, i): Promise<BranchInfo> => {
      const repo = { owner: i.owner, repo: i.repo };
      const from = i.from ?? (await client.rest.repos.get(repo)).data.default_branch;
      const base = (await client.rest.git.getRef({ ...repo, ref: `heads/${from}` })).data.object.sha;
      await client.rest.git.createRef({ ...repo, ref: `refs/heads/${i.branch}`, sha: base });
      return { name: i.branch, sha: base, protected: false };
    },
  }),

  branches_get_branch: operation({
    name: "branches_get_branch",
    summary: "Get a branch's head commit and whether it is protected",
    write: false,
    input: z.object({ owner: Org, repo: RepoName, branch: Branch }),
    resource: (i) => `${repoResource(i)}@${i.branch}`,
    run: async (client, i): Promise<BranchInfo> => {
      const { data } = await client.rest.repos.getBranch(i);
      return { name: data.name, sha: data.commit.sha, protected: data.protected };
    },
  }),

  branches_list_branches: operation({
    name: "branches_list_branches",
    summary: "List a repository's branches",
    write: false,
    input: RepoRef,
    resource: repoResource,
    run: async (client, i): Promise<BranchInfo[]> =>
      (await client.paginate(client.rest.repos.listBranches, { ...i, per_page: 100 })).map((b) => ({
        name: b.name,
        sha: b.commit.sha,
        protected: b.protected,
      })),
  }),
};
