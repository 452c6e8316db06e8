import { Hono } from "hono";
import {
  type BlobObject,
  type CommitObject,
  type FileMap,
  flatten,
  getObject,
  getRef,
  listRefs,
  putBlob,
  putCommit,
  putTree,
  setRef,
  type TreeObject,
} from "../../git.ts";
import { repoFor, type SandboxEnv } from "../auth.ts";
import { GitHubError, notFound, validationFailed } from "../errors.ts";
import { apiOf, gitCommitJson, nodeId, refJson } from "../json.ts";
import type { Repo } from "../model.ts";
import { effectiveProtection, guardRefUpdate } from "./ref-guard.ts";
import { assertWritable } from "./repos.ts";

type Body = Record<string, unknown>;
const SHA = /^[0-9a-f]{40}$/i;

function treeJson(
  api: string,
  repo: Repo,
  sha: string,
  entries: { path: string; mode: string; type: string; sha: string; size?: number }[],
) {
  const base = `${api}/repos/${repo.owner}/${repo.name}/git`;
  return {
    sha,
    url: `${base}/trees/${sha}`,
    tree: entries.map((e) => ({ ...e, url: `${base}/${e.type === "tree" ? "trees" : "blobs"}/${e.sha}` })),
    truncated: false,
  };
}

/** The git data API: blobs, trees, commits and refs, the way scaffolds are committed in one go. */
export function gitDataRoutes(): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();
  const base = "/repos/:owner/:repo/git";

  app.post(`${base}/blobs`, async (c) => {
    const { repo } = await repoFor(c, ["contents", "write"]);
    assertWritable(repo);
    const body = (await c.req.json().catch(() => ({}))) as Body;
    if (typeof body.content !== "string")
      throw validationFailed([{ resource: "Blob", field: "content", code: "missing_field" }]);
    const encoding = body.encoding ?? "utf-8";
    if (encoding !== "utf-8" && encoding !== "base64")
      throw validationFailed([{ resource: "Blob", field: "encoding", code: "invalid" }]);
    const blob = await putBlob(
      c.get("objects"),
      repo,
      Buffer.from(body.content, encoding === "base64" ? "base64" : "utf8"),
    );
    return c.json(
      { sha: blob.sha, url: `${apiOf(c)}/repos/${repo.owner}/${repo.name}/git/blobs/${blob.sha}` },
      201,
    );
  });

  app.get(`${base}/blobs/:sha`, async (c) => {
    const { repo } = await repoFor(c, ["contents", "read"]);
    const blob = await getObject<BlobObject>(c.get("objects"), repo, c.req.param("sha"), "blob");
    if (!blob) throw notFound();
    return c.json({
      sha: blob.sha,
      node_id: nodeId("Blob", blob.sha),
      size: blob.size,
      url: `${apiOf(c)}/repos/${repo.owner}/${repo.name}/git/blobs/${blob.sha}`,
      content: blob.content,
      encoding: "base64",
    });
  });

  app.post(`${base}/trees`, async (c) => {
    const { repo } = await repoFor(c, ["contents", "write"]);
    assertWritable(repo);
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    if (!Array.isArray(body.tree))
      throw validationFailed([{ resource: "Tree", field: "tree", code: "missing_field" }]);
    const files: FileMap =
      typeof body.base_tree === "string" ? await flatten(objects, repo, body.base_tree) : new Map();
    for (const [i, item] of (body.tree as Body[]).entries()) {
      const path = typeof item.path === "string" ? item.path.replace(/^\/+/, "") : "";
      if (!path)
        throw validationFailed([{ resource: "Tree", field: `tree[${i}].path`, code: "missing_field" }]);
      if (item.type !== undefined && item.type !== "blob")
        throw new GitHubError(422, `tree[${i}]: only blob entries are supported by the sandbox`);
      const mode = typeof item.mode === "string" ? item.mode : "100644";
      if (item.sha === null) {
        for (const existing of [...files.keys()])
          if (existing === path || existing.startsWith(`${path}/`)) files.delete(existing);
      } else if (typeof item.content === "string") {
        files.set(path, { mode, sha: (await putBlob(objects, repo, Buffer.from(item.content))).sha });
      } else if (
        typeof item.sha === "string" &&
        (await getObject<BlobObject>(objects, repo, item.sha, "blob"))
      ) {
        files.set(path, { mode, sha: item.sha });
      } else throw new GitHubError(422, `tree.sha ${String(item.sha)} is not a valid blob`);
    }
    const tree = await putTree(objects, repo, files);
    return c.json(treeJson(apiOf(c), repo, tree.sha, tree.entries), 201);
  });

  app.get(`${base}/trees/:sha`, async (c) => {
    const { repo } = await repoFor(c, ["contents", "read"]);
    const objects = c.get("objects");
    const tree = await getObject<TreeObject>(objects, repo, c.req.param("sha"), "tree");
    if (!tree) throw notFound();
    const recursive = c.req.query("recursive") !== undefined && c.req.query("recursive") !== "0";
    if (!recursive) return c.json(treeJson(apiOf(c), repo, tree.sha, tree.entries));
    const files = await flatten(objects, repo, tree.sha);
    const entries = [...files].map(([path, f]) => ({ path, mode: f.mode, type: "blob", sha: f.sha }));
    return c.json(treeJson(apiOf(c), repo, tree.sha, entries));
  });

  app.post(`${base}/commits`, async (c) => {
    const { repo } = await repoFor(c, ["contents", "write"]);
    assertWritable(repo);
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    if (typeof body.message !== "string")
      throw validationFailed([{ resource: "Commit", field: "message", code: "missing_field" }]);
    if (typeof body.tree !== "string" || !(await getObject<TreeObject>(objects, repo, body.tree, "tree")))
      throw validationFailed([{ resource: "Commit", field: "tree", code: "invalid" }]);
    const parents = Array.isArray(body.parents) ? body.parents.map(String) : [];
    for (const parent of parents)
      if (!(await getObject<CommitObject>(objects, repo, parent, "commit")))
        throw validationFailed([{ resource: "Commit", field: "parents", code: "invalid" }]);
    const author = body.author as { name: string; email: string; date?: string } | undefined;
    const commit = await putCommit(objects, repo, {
      tree: body.tree,
      parents,
      message: body.message,
      ...(author?.name && author.email
        ? {
            author: { name: author.name, email: author.email, date: author.date ?? new Date().toISOString() },
          }
        : {}),
    });
    return c.json(gitCommitJson(apiOf(c), repo, commit), 201);
  });

  app.get(`${base}/commits/:sha`, async (c) => {
    const { repo } = await repoFor(c, ["contents", "read"]);
    const commit = await getObject<CommitObject>(c.get("objects"), repo, c.req.param("sha"), "commit");
    if (!commit) throw notFound();
    return c.json(gitCommitJson(apiOf(c), repo, commit));
  });

  app.get(`${base}/ref/:ref{.+}`, async (c) => {
    const { repo } = await repoFor(c, ["contents", "read"]);
    const ref = await getRef(c.get("objects"), repo, `refs/${c.req.param("ref")}`);
    if (!ref) throw notFound();
    return c.json(refJson(apiOf(c), repo, ref));
  });

  app.get(`${base}/matching-refs/:ref{.+}`, async (c) => {
    const { repo } = await repoFor(c, ["contents", "read"]);
    const refs = await listRefs(c.get("objects"), repo, `refs/${c.req.param("ref")}`);
    return c.json(refs.map((r) => refJson(apiOf(c), repo, r)));
  });

  app.post(`${base}/refs`, async (c) => {
    const { repo, token } = await repoFor(c, ["contents", "write"]);
    assertWritable(repo);
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const ref = typeof body.ref === "string" ? body.ref : "";
    if (!/^refs\/(heads|tags)\/[^\s~^:?*[\\]+$/.test(ref) || ref.split("/").length < 3)
      throw new GitHubError(422, "Reference name is invalid");
    if (
      typeof body.sha !== "string" ||
      !SHA.test(body.sha) ||
      !(await getObject<CommitObject>(objects, repo, body.sha, "commit"))
    )
      throw new GitHubError(422, "Object does not exist");
    if (await getRef(objects, repo, ref)) throw new GitHubError(422, "Reference already exists");
    await guardRefUpdate(objects, repo, token, ref, undefined, body.sha);
    const created = await setRef(objects, repo, ref, body.sha);
    return c.json(refJson(apiOf(c), repo, created), 201);
  });

  app.patch(`${base}/refs/:ref{.+}`, async (c) => {
    const { repo, token } = await repoFor(c, ["contents", "write"]);
    assertWritable(repo);
    const objects = c.get("objects");
    const name = `refs/${c.req.param("ref")}`;
    const current = await getRef(objects, repo, name, true);
    if (!current) throw new GitHubError(422, "Reference does not exist");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    if (typeof body.sha !== "string" || !(await getObject<CommitObject>(objects, repo, body.sha, "commit")))
      throw new GitHubError(422, "Object does not exist");
    await guardRefUpdate(objects, repo, token, name, current.sha, body.sha, body.force === true);
    return c.json(refJson(apiOf(c), repo, await setRef(objects, repo, name, body.sha)));
  });

  app.delete(`${base}/refs/:ref{.+}`, async (c) => {
    const { repo } = await repoFor(c, ["contents", "write"]);
    assertWritable(repo);
    const name = `refs/${c.req.param("ref")}`;
    if (name === `refs/heads/${repo.defaultBranch}`)
      throw new GitHubError(422, "Cannot delete the default branch");
    if (name.startsWith("refs/heads/")) {
      const protection = await effectiveProtection(c.get("objects"), repo, name.slice("refs/heads/".length));
      if (protection && !protection.allowDeletions)
        throw new GitHubError(422, "Cannot delete this protected branch");
    }
    if (!(await c.get("objects").delete("ref", `${repo.id}:${name}`)))
      throw new GitHubError(422, "Reference does not exist");
    return c.body(null, 204);
  });

  return app;
}
