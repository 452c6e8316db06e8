import { Hono } from "hono";
import { type CommitObject, getObject, getRef, listRefs } from "../../git.ts";
import { repoFor, type SandboxEnv } from "../auth.ts";
import { GitHubError } from "../errors.ts";
import { apiOf, gitCommitJson } from "../json.ts";
import { effectiveProtection } from "./ref-guard.ts";

/** Branches: list and get, with whether each is protected. */
export function branchRoutes(): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();

  app.get("/repos/:owner/:repo/branches", async (c) => {
    const { repo } = await repoFor(c, ["contents", "read"]);
    const objects = c.get("objects");
    const refs = await listRefs(objects, repo, "refs/heads/");
    const api = apiOf(c);
    const protectedOnly = c.req.query("protected");
    const branches = await Promise.all(
      refs.map(async (r) => {
        const name = r.ref.slice("refs/heads/".length);
        return {
          name,
          commit: { sha: r.sha, url: `${api}/repos/${repo.owner}/${repo.name}/commits/${r.sha}` },
          protected: (await effectiveProtection(objects, repo, name)) !== undefined,
        };
      }),
    );
    return c.json(
      branches.filter((b) => protectedOnly === undefined || b.protected === (protectedOnly === "true")),
    );
  });

  app.get("/repos/:owner/:repo/branches/:branch{.+}", async (c) => {
    const { repo } = await repoFor(c, ["contents", "read"]);
    const objects = c.get("objects");
    const name = c.req.param("branch");
    const ref = await getRef(objects, repo, `refs/heads/${name}`);
    const commit = ref && (await getObject<CommitObject>(objects, repo, ref.sha, "commit"));
    if (!commit) throw new GitHubError(404, "Branch not found");
    const api = apiOf(c);
    const url = `${api}/repos/${repo.owner}/${repo.name}/branches/${name}`;
    return c.json({
      name,
      commit: {
        sha: commit.sha,
        node_id: gitCommitJson(api, repo, commit).node_id,
        url: `${api}/repos/${repo.owner}/${repo.name}/commits/${commit.sha}`,
        commit: gitCommitJson(api, repo, commit),
        parents: commit.parents.map((sha) => ({
          sha,
          url: `${api}/repos/${repo.owner}/${repo.name}/commits/${sha}`,
        })),
      },
      _links: { self: url, html: `${api}/${repo.owner}/${repo.name}/tree/${name}` },
      protected: (await effectiveProtection(objects, repo, name)) !== undefined,
      protection_url: `${url}/protection`,
    });
  });

  return app;
}
