import { createHash } from "node:crypto";
import type { Objects } from "./store.ts";

/** A repository as the git object store sees it: objects and refs live under its id. */
export interface Repo {
  id: number | string;
  /** The default branch's short name, e.g. main. */
  defaultBranch: string;
}

/** A git object or a ref could not be found or is invalid; each sandbox renders it in its provider's words. */
export class GitStoreError extends Error {
  constructor(
    readonly kind: "invalid-tree" | "branch-not-found",
    message: string,
  ) {
    super(message);
  }
}

const underRepo = (repo: Repo, rest = "") => `${repo.id}:${rest}`;

/** Git's own object model, shared by the sandboxes, so SHAs are what git would compute for the same content. */
export interface Person {
  name: string;
  email: string;
  date: string;
}
export interface BlobObject {
  type: "blob";
  sha: string;
  /** base64 */
  content: string;
  size: number;
}
export interface TreeEntry {
  path: string;
  mode: string;
  type: "blob" | "tree";
  sha: string;
}
export interface TreeObject {
  type: "tree";
  sha: string;
  entries: TreeEntry[];
}
export interface CommitObject {
  type: "commit";
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: Person;
  committer: Person;
}
export type GitObject = BlobObject | TreeObject | CommitObject;

/** A flattened tree: every file by its full path. */
export type FileMap = Map<string, { mode: string; sha: string }>;

const gitSha = (type: string, body: Buffer) =>
  createHash("sha1").update(`${type} ${body.length}\0`).update(body).digest("hex");

const SANDBOX_PERSON = (): Person => ({
  name: "sandbox",
  email: "sandbox@users.noreply.github.com",
  date: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
});

export async function getObject<T extends GitObject>(
  objects: Objects,
  repo: Repo,
  sha: string,
  type: T["type"],
): Promise<T | undefined> {
  const found = await objects.get<GitObject>("git", underRepo(repo, sha.toLowerCase()));
  return found?.type === type ? (found as T) : undefined;
}

export async function putBlob(objects: Objects, repo: Repo, content: Buffer): Promise<BlobObject> {
  const blob: BlobObject = {
    type: "blob",
    sha: gitSha("blob", content),
    content: content.toString("base64"),
    size: content.length,
  };
  await objects.put("git", underRepo(repo, blob.sha), blob);
  return blob;
}

/** One tree level; entries sorted as git sorts them (a directory as if its name ended in `/`). */
async function putTreeLevel(objects: Objects, repo: Repo, entries: TreeEntry[]): Promise<TreeObject> {
  const key = (e: TreeEntry) => (e.type === "tree" ? `${e.path}/` : e.path);
  const sorted = [...entries].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const body = Buffer.concat(
    sorted.flatMap((e) => [
      Buffer.from(`${e.mode === "040000" ? "40000" : e.mode} ${e.path}\0`),
      Buffer.from(e.sha, "hex"),
    ]),
  );
  const tree: TreeObject = { type: "tree", sha: gitSha("tree", body), entries: sorted };
  await objects.put("git", underRepo(repo, tree.sha), tree);
  return tree;
}

/** Builds the nested trees for a flat file map; returns the root tree. */
export async function putTree(objects: Objects, repo: Repo, files: FileMap): Promise<TreeObject> {
  const here: TreeEntry[] = [];
  const dirs = new Map<string, FileMap>();
  for (const [path, file] of files) {
    const slash = path.indexOf("/");
    if (slash < 0) here.push({ path, mode: file.mode, type: "blob", sha: file.sha });
    else {
      const dir = path.slice(0, slash);
      const sub = dirs.get(dir) ?? new Map();
      sub.set(path.slice(slash + 1), file);
      dirs.set(dir, sub);
    }
  }
  for (const [dir, sub] of dirs) {
    const tree = await putTree(objects, repo, sub);
    here.push({ path: dir, mode: "040000", type: "tree", sha: tree.sha });
  }
  return putTreeLevel(objects, repo, here);
}

/** Every file under a tree, by full path. */
export async function flatten(
  objects: Objects,
  repo: Repo,
  treeSha: string,
  prefix = "",
  into: FileMap = new Map(),
) {
  const tree = await getObject<TreeObject>(objects, repo, treeSha, "tree");
  if (!tree) throw new GitStoreError("invalid-tree", `Invalid tree: ${treeSha}`);
  for (const entry of tree.entries) {
    const path = `${prefix}${entry.path}`;
    if (entry.type === "tree") await flatten(objects, repo, entry.sha, `${path}/`, into);
    else into.set(path, { mode: entry.mode, sha: entry.sha });
  }
  return into;
}

export async function putCommit(
  objects: Objects,
  repo: Repo,
  input: { tree: string; parents: string[]; message: string; author?: Person; committer?: Person },
): Promise<CommitObject> {
  const author = input.author ?? SANDBOX_PERSON();
  const committer = input.committer ?? author;
  const stamp = (p: Person) => `${p.name} <${p.email}> ${Math.floor(Date.parse(p.date) / 1000)} +0000`;
  const body = Buffer.from(
    [
      `tree ${input.tree}`,
      ...input.parents.map((p) => `parent ${p}`),
      `author ${stamp(author)}`,
      `committer ${stamp(committer)}`,
      "",
      input.message,
    ].join("\n"),
  );
  const commit: CommitObject = {
    type: "commit",
    sha: gitSha("commit", body),
    tree: input.tree,
    parents: input.parents,
    message: input.message,
    author,
    committer,
  };
  await objects.put("git", underRepo(repo, commit.sha), commit);
  return commit;
}

export interface Ref {
  ref: string;
  sha: string;
}

export const getRef = (objects: Objects, repo: Repo, ref: string, forUpdate = false) =>
  objects.get<Ref>("ref", underRepo(repo, ref), { forUpdate });
export const setRef = (objects: Objects, repo: Repo, ref: string, sha: string) =>
  objects.put<Ref>("ref", underRepo(repo, ref), { ref, sha });
export const deleteRef = (objects: Objects, repo: Repo, ref: string) =>
  objects.delete("ref", underRepo(repo, ref));
export const listRefs = (objects: Objects, repo: Repo, prefix: string) =>
  objects.list<Ref>("ref", underRepo(repo, prefix));

/** The head commit of a branch, or 404. */
export async function branchHead(objects: Objects, repo: Repo, branch: string, forUpdate = false) {
  const ref = await getRef(objects, repo, `refs/heads/${branch}`, forUpdate);
  const commit = ref && (await getObject<CommitObject>(objects, repo, ref.sha, "commit"));
  if (!commit) throw new GitStoreError("branch-not-found", "Branch not found");
  return commit;
}

/** Resolves a ref name, branch, tag or commit SHA to a commit, or undefined. */
export async function resolveCommit(
  objects: Objects,
  repo: Repo,
  ref: string,
): Promise<CommitObject | undefined> {
  for (const candidate of [`refs/heads/${ref}`, `refs/tags/${ref}`, ref]) {
    const found = await getRef(objects, repo, candidate);
    if (found) return getObject<CommitObject>(objects, repo, found.sha, "commit");
  }
  return /^[0-9a-f]{40}$/i.test(ref) ? getObject<CommitObject>(objects, repo, ref, "commit") : undefined;
}

/**
 * Commits changes to a branch (a path to content, or null to delete) on top of its head: what the contents
 * API and a push do. Returns the new commit.
 */
export async function commitToBranch(
  objects: Objects,
  repo: Repo,
  branch: string,
  changes: Record<string, Buffer | null>,
  message: string,
  author?: Person,
): Promise<CommitObject> {
  const head = await branchHead(objects, repo, branch, true);
  const files = await flatten(objects, repo, head.tree);
  for (const [path, content] of Object.entries(changes)) {
    if (content === null) files.delete(path);
    else
      files.set(path, {
        mode: files.get(path)?.mode ?? "100644",
        sha: (await putBlob(objects, repo, content)).sha,
      });
  }
  const tree = await putTree(objects, repo, files);
  const commit = await putCommit(objects, repo, {
    tree: tree.sha,
    parents: [head.sha],
    message,
    ...(author ? { author } : {}),
  });
  await setRef(objects, repo, `refs/heads/${branch}`, commit.sha);
  return commit;
}

/** The first commit of a new repository, on its default branch. */
export async function initialCommit(
  objects: Objects,
  repo: Repo,
  files: Record<string, string>,
): Promise<CommitObject> {
  const map: FileMap = new Map();
  for (const [path, text] of Object.entries(files))
    map.set(path, { mode: "100644", sha: (await putBlob(objects, repo, Buffer.from(text))).sha });
  const tree = await putTree(objects, repo, map);
  const commit = await putCommit(objects, repo, { tree: tree.sha, parents: [], message: "Initial commit" });
  await setRef(objects, repo, `refs/heads/${repo.defaultBranch}`, commit.sha);
  return commit;
}
