/** Merging in the shared git object store, for both sandboxes' pull requests. */
import { type CommitObject, type FileMap, flatten, getObject, type Repo } from "./git.ts";
import type { Objects } from "./store.ts";

async function ancestors(objects: Objects, repo: Repo, sha: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const queue = [sha];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    const commit = await getObject<CommitObject>(objects, repo, next, "commit");
    if (commit) queue.push(...commit.parents);
  }
  return seen;
}

/** The nearest common ancestor of two commits (breadth first from `b`), if any. */
export async function mergeBase(
  objects: Objects,
  repo: Repo,
  a: string,
  b: string,
): Promise<string | undefined> {
  const ofA = await ancestors(objects, repo, a);
  const queue = [b];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (ofA.has(next)) return next;
    if (seen.has(next)) continue;
    seen.add(next);
    const commit = await getObject<CommitObject>(objects, repo, next, "commit");
    if (commit) queue.push(...commit.parents);
  }
  return undefined;
}

export const isAncestor = async (objects: Objects, repo: Repo, ancestor: string, of: string) =>
  (await ancestors(objects, repo, of)).has(ancestor);

const filesOf = async (objects: Objects, repo: Repo, sha: string | undefined): Promise<FileMap> => {
  const commit = sha ? await getObject<CommitObject>(objects, repo, sha, "commit") : undefined;
  return commit ? flatten(objects, repo, commit.tree) : new Map();
};

/**
 * A three-way merge of whole files: a path changed on one side only takes that side; changed the same way on
 * both is fine; changed differently on both is a conflict (no line-level merging).
 */
export async function mergeFiles(
  objects: Objects,
  repo: Repo,
  ours: string,
  theirs: string,
): Promise<{ files: FileMap; conflicts: string[] }> {
  const base = await filesOf(objects, repo, await mergeBase(objects, repo, ours, theirs));
  const [a, b] = [await filesOf(objects, repo, ours), await filesOf(objects, repo, theirs)];
  const files: FileMap = new Map();
  const conflicts: string[] = [];
  for (const path of new Set([...base.keys(), ...a.keys(), ...b.keys()])) {
    const [o, x, y] = [base.get(path)?.sha, a.get(path)?.sha, b.get(path)?.sha];
    const pick = x === y ? a.get(path) : x === o ? b.get(path) : y === o ? a.get(path) : "conflict";
    if (pick === "conflict") conflicts.push(path);
    else if (pick) files.set(path, pick);
  }
  return { files, conflicts };
}
