import type { Context } from "hono";
import { Hono } from "hono";
import {
  type BlobObject,
  branchHead,
  commitToBranch,
  flatten,
  getObject,
  getRef,
  initialCommit,
  resolveCommit,
} from "../../git.ts";
import { allows, repoFor, type SandboxEnv } from "../auth.ts";
import { GitHubError, notFound, validationFailed } from "../errors.ts";
import { apiOf, gitCommitJson } from "../json.ts";
import type { Repo } from "../model.ts";
import { guardProtectedBranch } from "./ref-guard.ts";
import { assertWritable } from "./repos.ts";

type Body = Record<string, unknown>;

function entryJson(
  api: string,
  repo: Repo,
  path: string,
  sha: string,
  type: "file" | "dir",
  size: number,
  ref: string,
) {
  const self = `${api}/repos/${repo.owner}/${repo.name}/contents/${path}?ref=${ref}`;
  const git = `${api}/repos/${repo.owner}/${repo.name}/git/${type === "file" ? "blobs" : "trees"}/${sha}`;
  const html = `${api}/${repo.owner}/${repo.name}/${type === "file" ? "blob" : "tree"}/${ref}/${path}`;
  return {
    type,
    size,
    name: path.split("/").at(-1) ?? path,
    path,
    sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: type === "file" ? `${api}/raw/${repo.owner}/${repo.name}/${ref}/${path}` : null,
    _links: { self, git, html },
  };
}

const pathOf = (c: Context) => decodeURIComponent(c.req.param("path") ?? "").replace(/^\/+|\/+$/g, "");

/** The contents API: read a file or directory, create or update a file, delete a file — one commit each. */
export function contentRoutes(): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();

  const read = async (c: Context<SandboxEnv>) => {
    const { repo } = await repoFor(c, ["contents", "read"]);
    const objects = c.get("objects");
    const ref = c.req.query("ref") ?? repo.defaultBranch;
    const commit = await resolveCommit(objects, repo, ref);
    if (!commit)
      throw new GitHubError(
        404,
        ref === repo.defaultBranch ? "This repository is empty." : `No commit found for the ref ${ref}`,
      );
    const files = await flatten(objects, repo, commit.tree);
    const path = pathOf(c);
    const file = files.get(path);
    if (file) {
      const blob = (await getObject<BlobObject>(objects, repo, file.sha, "blob")) as BlobObject;
      const content = (blob.content.match(/.{1,60}/g) ?? []).join("\n");
      return c.json({
        ...entryJson(apiOf(c), repo, path, file.sha, "file", blob.size, ref),
        content,
        encoding: "base64",
      });
    }
    const prefix = path ? `${path}/` : "";
    const children = new Map<string, { type: "file" | "dir"; sha: string }>();
    for (const [p, f] of files) {
      if (!p.startsWith(prefix)) continue;
      const [name, ...rest] = p.slice(prefix.length).split("/");
      if (name)
        children.set(
          name,
          rest.length > 0
            ? { type: "dir", sha: children.get(name)?.sha ?? "" }
            : { type: "file", sha: f.sha },
        );
    }
    if (children.size === 0) throw notFound();
    return c.json(
      [...children].map(([name, e]) => entryJson(apiOf(c), repo, `${prefix}${name}`, e.sha, e.type, 0, ref)),
    );
  };
  app.get("/repos/:owner/:repo/contents", read);
  app.get("/repos/:owner/:repo/contents/:path{.*}", read);

  const write = async (c: Context<SandboxEnv>, remove: boolean) => {
    const { repo, token } = await repoFor(c, ["contents", "write"]);
    assertWritable(repo);
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const path = pathOf(c);
    if (!path) throw validationFailed([{ resource: "Content", field: "path", code: "missing_field" }]);
    if (typeof body.message !== "string")
      throw validationFailed([{ resource: "Content", field: "message", code: "missing_field" }]);
    if (!remove && typeof body.content !== "string")
      throw validationFailed([{ resource: "Content", field: "content", code: "missing_field" }]);
    if (
      path.startsWith(".github/workflows/") &&
      token.kind === "installation" &&
      !allows(token.permissions, "workflows", "write")
    )
      throw new GitHubError(
        403,
        `refusing to allow a GitHub App to create or update workflow \`${path}\` without \`workflows\` permission`,
      );
    const branch = typeof body.branch === "string" ? body.branch : repo.defaultBranch;
    const content = remove ? null : Buffer.from(body.content as string, "base64");
    const author = body.author as { name?: string; email?: string } | undefined;
    const person =
      author?.name && author.email
        ? { name: author.name, email: author.email, date: new Date().toISOString() }
        : undefined;

    // An empty repository: the first file creates the default branch.
    if (!(await getRef(objects, repo, `refs/heads/${branch}`))) {
      if (
        remove ||
        branch !== repo.defaultBranch ||
        (await objects.list("ref", `${repo.id}:refs/heads/`)).length > 0
      )
        throw new GitHubError(404, `Branch ${branch} not found`);
      const commit = await initialCommit(objects, repo, { [path]: (content as Buffer).toString() });
      const sha = (await flatten(objects, repo, commit.tree)).get(path)?.sha as string;
      return c.json(
        {
          content: entryJson(apiOf(c), repo, path, sha, "file", content?.length ?? 0, branch),
          commit: gitCommitJson(apiOf(c), repo, commit),
        },
        201,
      );
    }
    const head = await branchHead(objects, repo, branch, true);
    const existing = (await flatten(objects, repo, head.tree)).get(path);
    if (remove && !existing) throw notFound();
    if (existing && body.sha === undefined)
      throw new GitHubError(422, `Invalid request.\n\n"sha" wasn't supplied.`);
    if (existing && body.sha !== existing.sha)
      throw new GitHubError(409, `${path} does not match ${String(body.sha)}`);
    await guardProtectedBranch(objects, repo, token, branch, { via: "contents" });
    const commit = await commitToBranch(
      objects,
      repo,
      branch,
      { [path]: content },
      body.message as string,
      person,
    );
    await objects.put("repo", `${repo.owner}/${repo.name}`.toLowerCase(), {
      ...repo,
      pushedAt: new Date().toISOString(),
    });
    const sha = remove ? null : ((await flatten(objects, repo, commit.tree)).get(path)?.sha as string);
    return c.json(
      {
        content: sha ? entryJson(apiOf(c), repo, path, sha, "file", content?.length ?? 0, branch) : null,
        commit: gitCommitJson(apiOf(c), repo, commit),
      },
      remove || existing ? 200 : 201,
    );
  };
  app.put("/repos/:owner/:repo/contents/:path{.+}", (c) => write(c, false));
  app.delete("/repos/:owner/:repo/contents/:path{.+}", (c) => write(c, true));

  return app;
}
