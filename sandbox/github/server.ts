import { Hono } from "hono";
import { injectedFaults } from "../faults.ts";
import { GitStoreError } from "../git.ts";
import type { SandboxStore } from "../store.ts";
import { transactionPerRequest } from "../transaction.ts";
import type { SandboxEnv } from "./auth.ts";
import { GitHubError, githubError } from "./errors.ts";

import { actionsRoutes } from "./routes/actions.ts";
import { appAuthRoutes } from "./routes/app-auth.ts";
import { branchRoutes } from "./routes/branches.ts";
import { contentRoutes } from "./routes/contents.ts";
import { environmentRoutes } from "./routes/environments.ts";
import { gitDataRoutes } from "./routes/git-data.ts";
import { issueRoutes } from "./routes/issues.ts";
import { protectionRoutes } from "./routes/protection.ts";
import { pullRoutes } from "./routes/pulls.ts";
import { repoRoutes } from "./routes/repos.ts";
import { rulesetRoutes } from "./routes/rulesets.ts";
import { securityRoutes } from "./routes/security.ts";
import { teamRoutes } from "./routes/teams.ts";

/**
 * The GitHub sandbox's HTTP app: the real Octokit client, pointed at it, works unchanged. Each request is one
 * transaction over the sandbox's state, rolled back when the request fails.
 */
export function githubSandbox(store: SandboxStore): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();
  app.onError((error, c) => {
    if (error instanceof GitHubError) return githubError(c, error);
    // The shared git store's errors, in GitHub's words.
    if (error instanceof GitStoreError)
      return githubError(
        c,
        error.kind === "branch-not-found"
          ? new GitHubError(404, "Branch not found")
          : new GitHubError(422, error.message),
      );
    console.error("github sandbox:", error);
    return githubError(c, new GitHubError(500, "Server Error"));
  });
  app.use(injectedFaults(store, (c, status, message) => githubError(c, new GitHubError(status, message))));
  app.use(transactionPerRequest(store));
  app.route("/", appAuthRoutes());
  app.route("/", repoRoutes());
  app.route("/", gitDataRoutes());
  app.route("/", contentRoutes());
  app.route("/", protectionRoutes());
  app.route("/", branchRoutes());
  app.route("/", teamRoutes());
  app.route("/", actionsRoutes());
  app.route("/", environmentRoutes());
  app.route("/", securityRoutes());
  app.route("/", issueRoutes());
  app.route("/", pullRoutes());
  app.route("/", rulesetRoutes());
  app.notFound((c) => githubError(c, new GitHubError(404, "Not Found")));
  return app;
}
