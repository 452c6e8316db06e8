import { Hono } from "hono";
import { injectedFaults } from "../faults.ts";
import { GitStoreError } from "../git.ts";
import type { SandboxStore } from "../store.ts";
import { transactionPerRequest } from "../transaction.ts";
import type { AdoEnv } from "./auth.ts";
import { AzureDevOpsError, adoError } from "./errors.ts";
import { checkRoutes } from "./routes/checks.ts";
import { discoveryRoutes } from "./routes/discovery.ts";
import { distributedTaskRoutes } from "./routes/distributed-task.ts";
import { environmentRoutes } from "./routes/environments.ts";
import { gitRoutes } from "./routes/git.ts";
import { graphRoutes } from "./routes/graph.ts";
import { pipelineRoutes } from "./routes/pipelines.ts";
import { policyRoutes } from "./routes/policies.ts";
import { projectRoutes } from "./routes/projects.ts";
import { pullRequestRoutes } from "./routes/pull-requests.ts";
import { securityRoutes } from "./routes/security.ts";
import { serviceEndpointRoutes } from "./routes/service-endpoints.ts";
import { tokenRoutes } from "./routes/tokens.ts";
import { workItemRoutes } from "./routes/work-items.ts";

export interface AdoSandboxOptions {
  /** How long a queued project creation takes before the project is well-formed. */
  projectCreationMs?: number;
  /** How long a pipeline run takes before it is completed. */
  pipelineRunMs?: number;
}

/**
 * The Azure DevOps sandbox's HTTP app, one organisation per first path segment: the real
 * azure-devops-node-api client, given `http://host/<org>`, works unchanged. One transaction per request.
 */
export function azureDevOpsSandbox(store: SandboxStore, options: AdoSandboxOptions = {}): Hono<AdoEnv> {
  const app = new Hono<AdoEnv>();
  app.onError((error, c) => {
    if (error instanceof AzureDevOpsError) return adoError(c, error);
    if (error instanceof GitStoreError)
      return adoError(c, new AzureDevOpsError(404, error.message, "GitItemNotFoundException"));
    console.error("azure devops sandbox:", error);
    return adoError(c, new AzureDevOpsError(500, "An unexpected error occurred.", "UnexpectedException"));
  });
  app.use(
    injectedFaults(store, (c, status, message) =>
      adoError(c, new AzureDevOpsError(status, message, "InjectedFaultException")),
    ),
  );
  app.use(transactionPerRequest(store));
  app.route("/", discoveryRoutes());
  app.route("/", projectRoutes({ creationMs: options.projectCreationMs ?? 200 }));
  app.route("/", gitRoutes());
  app.route("/", distributedTaskRoutes());
  app.route("/", environmentRoutes());
  app.route("/", checkRoutes());
  app.route("/", workItemRoutes());
  app.route("/", serviceEndpointRoutes());
  app.route("/", graphRoutes());
  app.route("/", securityRoutes());
  app.route("/", tokenRoutes());
  app.route("/", pipelineRoutes({ runMs: options.pipelineRunMs ?? 200 }));
  app.route("/", policyRoutes());
  app.route("/", pullRequestRoutes());
  app.notFound((c) =>
    adoError(
      c,
      new AzureDevOpsError(404, "The requested resource does not exist.", "ResourceNotFoundException"),
    ),
  );
  return app;
}
