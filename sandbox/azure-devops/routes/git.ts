import type { Context } from "hono";
import { Hono } from "hono";

import {
  type BlobObject,
  type CommitObject,
  flatten,
  getObject,
  getRef,
  putBlob,
  putCommit,
  putTree,
  setRef,
} from "../../git.ts";
import { type AdoEnv, newId, requireScope } from "../auth.ts";
import { AzureDevOpsError } from "../errors.ts";
import { type AdoRepo, type Project, repoKey } from "../model.ts";
import { requireContribute } from "../permissions.ts";
import { blockingPolicies } from "../policies.ts";
import { projectReference, wellFormedProject } from "./projects.ts";

type Body = Record<string, unknown>;
const ZERO = "0".repeat(40);

const apiBase = (c: Context) => `${new URL(c.req.url).origin}/${c.req.param("org")}`;

/** The repository the route names, by name or id, or 404. */
export async function repoOf(c: Context<AdoEnv>, project: Project): Promise<AdoRepo> {
  const idOrName = decodeURIComponent(c.req.param("repositoryId") ?? "");
  const objects = c.get("objects");
  const org = (c.req.param("org") ?? "").toLowerCase();
  const byName = await objects.get<AdoRepo>("repo", repoKey(org, project.id, idOrName));
  const repo =
    byName ??
    (await objects.list<AdoRepo>("repo", `${org}/${project.id}/`)).find(
      (r) => r.id === idOrName.toLowerCase(),
    );
  if (!repo)
    throw new AzureDevOpsError(
      404,
      `TF401019: The Git repository with name or identifier ${idOrName} does not exist or you do not have permissions for the operation you are attempting.`,
      "GitRepositoryNotFoundException",
    );
  return repo;
}

export function repoJson(c: Context, project: Project, r: AdoRepo) {
  const url = `${apiBase(c)}/${project.id}/_apis/git/repositories/${r.id}`;
  return {
    id: r.id,
    name: r.name,
    url,
    project: projectReference(c, project),
    ...(r.initialized ? { defaultBranch: `refs/heads/${r.defaultBranch}` } : {}),
    size: 0,
    remoteUrl: `${apiBase(c)}/${encodeURIComponent(project.name)}/_git/${encodeURIComponent(r.name)}`,
    webUrl: `${apiBase(c)}/${encodeURIComponent(project.name)}/_git/${encodeURIComponent(r.name)}`,
    isDisabled: false,
    isInMaintenance: false,
  };
}

/** `changeType` and `contentType` arrive as numbers from the typed client and as names from other tools. */
const changeTypeOf = (v: unknown) =>
  v === 1 || String(v).toLowerCase() === "add"
    ? "add"
    : v === 2 || String(v).toLowerCase() === "edit"
      ? "edit"
      : v === 16 || String(v).toLowerCase() === "delete"
        ? "delete"
        : undefined;
const isBase64 = (v: unknown) => v === 1 || String(v).toLowerCase() === "base64encoded";

/** Git in a project: repositories, pushes (commits of changes to refs), refs, and items (file content). */
export function gitRoutes(): Hono<AdoEnv> {
  const app = new Hono<AdoEnv>();
  const repoPath = "/:org/:project/_apis/git/repositories/:repositoryId";

  app.post("/:org/:project/_apis/git/repositories", async (c) => {
    await requireScope(c, "vso.code_manage");
    const project = await wellFormedProject(c);
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const name = typeof body.name === "string" ? body.name.trim() : "";
    if (!name || !/^[^\\/:*?"<>;#$*{},+=[\]|]{1,64}$/.test(name) || name.startsWith("."))
      throw new AzureDevOpsError(
        400,
        `TF401025: '${name}' is not a valid name for a Git repository.`,
        "InvalidArgumentValueException",
      );
    const org = c.req.param("org").toLowerCase();
    const repo: AdoRepo = {
      id: newId(),
      org,
      projectId: project.id,
      name,
      defaultBranch: "main",
      initialized: false,
    };
    if (!(await c.get("objects").create("repo", repoKey(org, project.id, name), repo)))
      throw new AzureDevOpsError(
        409,
        `TF400948: A Git repository with the name ${name} already exists.`,
        "GitRepositoryNameAlreadyExistsException",
      );
    return c.json(repoJson(c, project, repo), 201);
  });

  app.get("/:org/:project/_apis/git/repositories", async (c) => {
    await requireScope(c, "vso.code");
    const project = await wellFormedProject(c);
    const all = await c
      .get("objects")
      .list<AdoRepo>("repo", `${c.req.param("org").toLowerCase()}/${project.id}/`);
    return c.json({ count: all.length, value: all.map((r) => repoJson(c, project, r)) });
  });

  app.get(repoPath, async (c) => {
    await requireScope(c, "vso.code");
    const project = await wellFormedProject(c);
    return c.json(repoJson(c, project, await repoOf(c, project)));
  });

  app.post(`${repoPath}/pushes`, async (c) => {
    const pat = await requireScope(c, "vso.code_write");
    const project = await wellFormedProject(c);
    const repo = await repoOf(c, project);
    const objects = c.get("objects");
    await requireContribute(objects, c.req.param("org").toLowerCase(), pat.user, project, repo.id);
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const refUpdates = Array.isArray(body.refUpdates)
      ? (body.refUpdates as { name?: string; oldObjectId?: string }[])
      : [];
    const commits = Array.isArray(body.commits)
      ? (body.commits as { comment?: string; changes?: Body[]; parents?: string[] }[])
      : [];
    const update = refUpdates[0];
    if (refUpdates.length !== 1 || !update?.name?.startsWith("refs/heads/") || commits.length === 0)
      throw new AzureDevOpsError(
        400,
        "A push needs one refUpdate of a branch and at least one commit.",
        "InvalidArgumentValueException",
      );
    if ((await blockingPolicies(objects, repo, update.name)).length > 0)
      throw new AzureDevOpsError(
        403,
        "TF402455: Pushes to this branch are not permitted; you must use a pull request to update this branch.",
        "GitRefUpdateRejectedByPolicyException",
      );
    const branch = update.name.slice("refs/heads/".length);
    const current = await getRef(objects, repo, update.name, true);
    if ((current?.sha ?? ZERO) !== (update.oldObjectId ?? ZERO).toLowerCase())
      throw new AzureDevOpsError(
        409,
        `TF401028: The reference '${update.name}' has already been updated by another client, so you cannot update it. Please try again.`,
        "GitReferenceStaleException",
      );
    // A new branch starts from the first commit's parent, when it names one (how a branch is cut from another).
    let parent = current?.sha ?? commits[0]?.parents?.[0]?.toLowerCase();
    if (parent && !(await getObject<CommitObject>(objects, repo, parent, "commit")))
      throw new AzureDevOpsError(
        400,
        `TF401029: Couldn't find Git commit with ID ${parent}.`,
        "GitCommitDoesNotExistException",
      );
    const made: CommitObject[] = [];
    for (const commit of commits) {
      const files = parent
        ? await flatten(
            objects,
            repo,
            ((await getObject<CommitObject>(objects, repo, parent, "commit")) as CommitObject).tree,
          )
        : new Map();
      for (const change of commit.changes ?? []) {
        const kind = changeTypeOf(change.changeType);
        const path = String((change.item as { path?: string } | undefined)?.path ?? "").replace(/^\/+/, "");
        if (!kind || !path)
          throw new AzureDevOpsError(
            400,
            "Each change needs a changeType (add, edit, delete) and an item path.",
            "InvalidArgumentValueException",
          );
        if (kind === "add" && files.has(path))
          throw new AzureDevOpsError(
            400,
            `TF402455: The path '/${path}' already exists; use an edit change.`,
            "GitPathAlreadyExistsException",
          );
        if (kind !== "add" && !files.has(path))
          throw new AzureDevOpsError(
            400,
            `TF401174: The item '/${path}' could not be found in the repository at the version specified.`,
            "GitItemNotFoundException",
          );
        if (kind === "delete") files.delete(path);
        else {
          const content = change.newContent as { content?: string; contentType?: unknown } | undefined;
          const bytes = Buffer.from(
            content?.content ?? "",
            isBase64(content?.contentType) ? "base64" : "utf8",
          );
          files.set(path, { mode: "100644", sha: (await putBlob(objects, repo, bytes)).sha });
        }
      }
      const tree = await putTree(objects, repo, files);
      const made1 = await putCommit(objects, repo, {
        tree: tree.sha,
        parents: parent ? [parent] : [],
        message: commit.comment ?? "",
        author: { name: pat.user, email: pat.user, date: new Date().toISOString() },
      });
      made.push(made1);
      parent = made1.sha;
    }
    await setRef(objects, repo, update.name, parent as string);
    if (!repo.initialized)
      await objects.put("repo", repoKey(repo.org, project.id, repo.name), {
        ...repo,
        initialized: true,
        defaultBranch: branch,
      });
    const pushId = await objects.nextId();
    return c.json(
      {
        pushId,
        date: new Date().toISOString(),
        pushedBy: { displayName: pat.user, uniqueName: pat.user },
        refUpdates: [{ name: update.name, oldObjectId: update.oldObjectId ?? ZERO, newObjectId: parent }],
        commits: made.map((m) => ({ commitId: m.sha, comment: m.message })),
        repository: repoJson(c, project, { ...repo, initialized: true }),
        url: `${apiBase(c)}/${project.id}/_apis/git/repositories/${repo.id}/pushes/${pushId}`,
      },
      201,
    );
  });

  app.get(`${repoPath}/refs`, async (c) => {
    await requireScope(c, "vso.code");
    const project = await wellFormedProject(c);
    const repo = await repoOf(c, project);
    const filter = `refs/${c.req.query("filter") ?? ""}`;
    const refs = await c.get("objects").list<{ ref: string; sha: string }>("ref", `${repo.id}:${filter}`);
    const value = refs.map((r) => ({
      name: r.ref,
      objectId: r.sha,
      url: `${apiBase(c)}/${project.id}/_apis/git/repositories/${repo.id}/refs?filter=${encodeURIComponent(r.ref.slice(5))}`,
    }));
    return c.json({ count: value.length, value });
  });

  app.get(`${repoPath}/items`, async (c) => {
    await requireScope(c, "vso.code");
    const project = await wellFormedProject(c);
    const repo = await repoOf(c, project);
    const objects = c.get("objects");
    const path = (c.req.query("path") ?? "/").replace(/^\/+/, "");
    const version = c.req.query("versionDescriptor.version") ?? repo.defaultBranch;
    const ref = await getRef(objects, repo, `refs/heads/${version}`);
    const commit = ref
      ? await getObject<CommitObject>(objects, repo, ref.sha, "commit")
      : await getObject<CommitObject>(objects, repo, version, "commit");
    const sha = commit ? (await flatten(objects, repo, commit.tree)).get(path)?.sha : undefined;
    const blob = sha ? await getObject<BlobObject>(objects, repo, sha, "blob") : undefined;
    if (!commit || !blob)
      throw new AzureDevOpsError(
        404,
        `TF401174: The item '/${path}' could not be found in the repository '${repo.name}' at the version specified.`,
        "GitItemNotFoundException",
      );
    return c.json({
      objectId: blob.sha,
      gitObjectType: "blob",
      commitId: commit.sha,
      path: `/${path}`,
      url: `${apiBase(c)}/${project.id}/_apis/git/repositories/${repo.id}/items?path=${encodeURIComponent(`/${path}`)}`,
      ...(c.req.query("includeContent") === "true"
        ? { content: Buffer.from(blob.content, "base64").toString("utf8") }
        : {}),
    });
  });

  return app;
}
