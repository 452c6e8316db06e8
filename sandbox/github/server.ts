import { Hono } from "hono";
import { appAuthRoutes, repositoryJson, tokenOf } from "./app-auth.ts";
import { githubError } from "./errors.ts";
import type { GitHubSandboxState } from "./state.ts";

/**
 * The GitHub sandbox's HTTP app: the real Octokit client, pointed at it, works unchanged. So far it serves
 * the App flow and repository reads under a token's permissions and repository list.
 */
export function githubSandbox(state: GitHubSandboxState): Hono {
  const app = new Hono();
  app.route("/", appAuthRoutes(state));

  app.get("/repos/:owner/:repo", (c) => {
    const token = tokenOf(c, state);
    if (!token) return githubError(c, 401, "Bad credentials");
    const { owner, repo } = c.req.param();
    const installation = state.installations.get(token.installationId);
    const found = state.repositories.find((r) => r.owner === owner && r.name === repo);
    // GitHub hides what a token may not see behind a 404, never a 403.
    if (!found || installation?.org !== owner || (token.repositories && !token.repositories.includes(repo)))
      return githubError(c, 404, "Not Found");
    return c.json(repositoryJson(found));
  });

  app.notFound((c) => githubError(c, 404, "Not Found"));
  return app;
}
