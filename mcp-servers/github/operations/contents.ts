import { createHash } from "node:crypto";
import { z } from "zod";
import type { GitHubClient } from "../client.ts";
import { GitHubFactoryError } from "../errors.ts";
import { hasStatus, operation } from "../operation.ts";
import { Branch, CommitMessage, FilePath, Org, RepoName, repoResource } from "./fields.ts";

export interface FileContent {
  path: string;
  sha: string;
  size: number;
  /** UTF-8 text as stored in the repository: provider text, untrusted. */
  text: string;
}

/** Git's blob SHA for a text, to tell whether a file already holds it without writing. */
export const blobSha = (text: string) => {
  const body = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${body.length}\0`).update(body).digest("hex");
};

/** The file at `path`, or undefined when there is none (a directory is not a file). */
export async function readFile(
  client: GitHubClient,
  i: { owner: string; repo: string; path: string; ref?: string | undefined },
): Promise<FileContent | undefined> {
  try {
    const { data } = await client.rest.repos.getContent({
      owner: i.owner,
      repo: i.repo,
      path: i.path,
      ...(i.ref ? { ref: i.ref } : {}),
    });
    if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return undefined;
    return {
      path: data.path,
      sha: data.sha,
      size: data.size,
      text: Buffer.from(data.content, "base64").toString("utf8"),
    };
  } catch (error) {
    if (hasStatus(error, 404)) return undefined;
    throw error;
  }
}

const Ref = z
  .string()
  .min(1)
  .optional()
  .describe("a branch, tag or commit SHA; the default branch if omitted");
const Text = z.string().max(1_000_000).describe("the file's full new text (UTF-8)");

export interface FileWrite {
  path: string;
  /** The blob SHA now at the path; null once deleted. */
  sha: string | null;
  /** The commit made; null when the file already held this text (nothing was written). */
  commitSha: string | null;
  changed: boolean;
}

/** Every file on a branch with its blob SHA, or undefined when the branch does not exist. */
export async function listFiles(client: GitHubClient, i: { owner: string; repo: string; branch: string }) {
  const repo = { owner: i.owner, repo: i.repo };
  try {
    const ref = (await client.rest.git.getRef({ ...repo, ref: `heads/${i.branch}` })).data;
    const head = (await client.rest.git.getCommit({ ...repo, commit_sha: ref.object.sha })).data;
    const tree = (await client.rest.git.getTree({ ...repo, tree_sha: head.tree.sha, recursive: "1" })).data
      .tree;
    return {
      head,
      files: new Map(tree.filter((e) => e.type === "blob").map((e) => [e.path as string, e.sha as string])),
    };
  } catch (error) {
    if (hasStatus(error, 404) || hasStatus(error, 409)) return undefined;
    throw error;
  }
}

export const contentOperations = {
  contents_list_files: operation({
    name: "contents_list_files",
    summary: "List every file on a branch with its blob SHA",
    write: false,
    input: z.object({ owner: Org, repo: RepoName, branch: Branch }),
    resource: (i) => `${repoResource(i)}@${i.branch}`,
    run: async (client, i) => {
      const listed = await listFiles(client, i);
      if (!listed)
        throw new GitHubFactoryError(
          "contents_list_files",
          `${repoResource(i)}@${i.branch}`,
          404,
          "Branch not found",
          undefined,
        );
      return [...listed.files].map(([path, sha]) => ({ path, sha }));
    },
  }),

  contents_get_file: operation({
    name: "contents_get_file",
    summary: "Read a file's text and blob SHA",
    write: false,
    input: z.object({ owner: Org, repo: RepoName, path: FilePath, ref: Ref }),
    resource: (i) => `${repoResource(i)}:${i.path}`,
    run: async (client, i) => {
      const file = await readFile(client, i);
      if (!file)
        throw new GitHubFactoryError(
          "contents_get_file",
          `${repoResource(i)}:${i.path}`,
          404,
          "Not Found",
          undefined,
        );
      return file;
    },
  }),

  contents_create_or_update_file: operation({
    name: "contents_create_or_update_file",
    summary: "Write one file in one commit; a file that already holds the text is left alone",
    write: true,
    input: z.object({
      owner: Org,
      repo: RepoName,
      path: FilePath,
      content: Text,
      message: CommitMessage,
      branch: Branch.optional().describe("the branch to commit to; the default branch if omitted"),
    }),
    resource: (i) => `${repoResource(i)}:${i.path}`,
    run: async (client, i): Promise<FileWrite> => {
      const existing = await readFile(client, { ...i, ref: i.branch });
      if (existing?.sha === blobSha(i.content))
        return { path: i.path, sha: existing.sha, commitSha: null, changed: false };
      const { data } = await client.rest.repos.createOrUpdateFileContents({
        owner: i.owner,
        repo: i.repo,
        path: i.path,
        message: i.message,
        content: Buffer.from(i.content, "utf8").toString("base64"),
        ...(existing ? { sha: existing.sha } : {}),
        ...(i.branch ? { branch: i.branch } : {}),
      });
      return {
        path: i.path,
        sha: data.content?.sha ?? null,
        commitSha: data.commit.sha ?? null,
        changed: true,
      };
    },
  }),

  contents_delete_file: operation({
    name: "contents_delete_file",
    summary: "Delete one file in one commit; a file already gone is left alone",
    write: true,
    input: z.object({
      owner: Org,
      repo: RepoName,
      path: FilePath,
      message: CommitMessage,
      branch: Branch.optional(),
    }),
    resource: (i) => `${repoResource(i)}:${i.path}`,
    run: async (client, i): Promise<FileWrite> => {
      const existing = await readFile(client, { ...i, ref: i.branch });
      if (!existing) return { path: i.path, sha: null, commitSha: null, changed: false };
      const { data } = await client.rest.repos.deleteFile({
        owner: i.owner,
        repo: i.repo,
        path: i.path,
        message: i.message,
        sha: existing.sha,
        ...(i.branch ? { branch: i.branch } : {}),
      });
      return { path: i.path, sha: null, commitSha: data.commit.sha ?? null, changed: true };
    },
  }),

  contents_commit_files: operation({
    name: "contents_commit_files",
    summary:
      "Commit several files at once (a scaffold, workflow files) through the git data API; no commit if nothing changes",
    write: true,
    input: z.object({
      owner: Org,
      repo: RepoName,
      branch: Branch,
      message: CommitMessage,
      files: z
        .array(
          z.union([
            z.object({ path: FilePath, content: Text }),
            z.object({ path: FilePath, delete: z.literal(true).describe("remove this file") }),
          ]),
        )
        .min(1)
        .max(1000)
        .describe("the files to write or delete"),
    }),
    resource: (i) => `${repoResource(i)}@${i.branch}`,
    run: async (client, i) => {
      const repo = { owner: i.owner, repo: i.repo };
      const ref = (await client.rest.git.getRef({ ...repo, ref: `heads/${i.branch}` })).data;
      const head = (await client.rest.git.getCommit({ ...repo, commit_sha: ref.object.sha })).data;
      const current = (await client.rest.git.getTree({ ...repo, tree_sha: head.tree.sha, recursive: "1" }))
        .data.tree;
      const shaAt = new Map(current.filter((e) => e.type === "blob").map((e) => [e.path, e.sha]));
      const changes = i.files.filter((f) =>
        "delete" in f ? shaAt.has(f.path) : shaAt.get(f.path) !== blobSha(f.content),
      );
      if (changes.length === 0) return { commitSha: null, changed: false, files: [] as string[] };
      const tree = await client.rest.git.createTree({
        ...repo,
        base_tree: head.tree.sha,
        tree: changes.map((f) =>
          "delete" in f
            ? { path: f.path, mode: "100644" as const, type: "blob" as const, sha: null }
            : { path: f.path, mode: "100644" as const, type: "blob" as const, content: f.content },
        ),
      });
      const commit = await client.rest.git.createCommit({
        ...repo,
        message: i.message,
        tree: tree.data.sha,
        parents: [head.sha],
      });
      await client.rest.git.updateRef({ ...repo, ref: `heads/${i.branch}`, sha: commit.data.sha });
      return { commitSha: commit.data.sha, changed: true, files: changes.map((f) => f.path) };
    },
  }),
};
