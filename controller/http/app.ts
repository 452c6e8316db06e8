import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import type { Services } from "../services.ts";
import { aiRoutes } from "./ai-routes.ts";
import { approvalRoutes } from "./approval-routes.ts";
import { credentialRoutes } from "./credential-routes.ts";
import { decisionRoutes } from "./decision-routes.ts";
import { docsPage } from "./docs-page.ts";
import { grantRoutes } from "./grant-routes.ts";
import { intentRoutes } from "./intent-routes.ts";
import { ledgerRoutes } from "./ledger-routes.ts";
import { openApiDocument } from "./openapi.ts";
import { operatorRoutes } from "./operator-routes.ts";
import { identify, type PrincipalEnv } from "./principal.ts";
import { Problem, problemType, renderProblem } from "./problem.ts";
import { RateLimiter, rateLimit } from "./rate-limit.ts";
import { secretRoutes } from "./secret-routes.ts";
import { tenantRoutes } from "./tenant-routes.ts";
import { tokenRoutes } from "./token-routes.ts";

export type AppDeps = Omit<Services, "close">;

export interface AppOptions {
  /** Shown in the OpenAPI document. */
  version?: string;
  /** Requests a minute per operator, per agent, and per client address for anonymous callers. */
  rateLimitPerMinute?: number;
  /** Milliseconds clock for the rate limiter (tests move time). */
  rateLimitClock?: () => number;
  maxBodyBytes?: number;
}

/** The controller's HTTP API, without `listen`: tests call `app.request(...)`. */
export function createApp(deps: AppDeps, options: AppOptions = {}): Hono<PrincipalEnv> {
  const { database, ledger, grants, intents, approvals, approvalFeed } = deps;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const app = new Hono<PrincipalEnv>();
  app.onError(renderProblem);
  app.notFound(() => {
    throw new Problem(404, problemType("not-found"), "no such route");
  });
  app.use(
    requestId(),
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new Problem(413, problemType("body-too-large"), `the body exceeds ${maxBodyBytes} bytes`);
      },
    }),
    identify({ db: database.db, grants }),
    rateLimit(new RateLimiter(options.rateLimitPerMinute ?? 600, options.rateLimitClock)),
  );

  const openApi = openApiDocument(options.version ?? "dev");
  app.get("/openapi.json", (c) => c.json(openApi));
  app.get("/docs", (c) => c.html(docsPage(openApi as Parameters<typeof docsPage>[0])));
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get("/ready", async (c) => {
    try {
      await database.db.execute(sql`select 1`);
    } catch {
      throw new Problem(503, problemType("not-ready"), "database unavailable");
    }
    return c.json({ status: "ready", database: database.kind });
  });
  app.route("/", ledgerRoutes(ledger));
  app.route("/", tokenRoutes(grants));
  app.route("/", operatorRoutes({ db: database.db, ledger, grants }));
  app.route(
    "/",
    tenantRoutes({ db: database.db, ledger, grants, intents, quotas: deps.policies.sources.quotas }),
  );
  app.route("/", grantRoutes(grants));
  app.route("/", decisionRoutes(deps.policies.engine));
  app.route("/", intentRoutes({ intents }));
  app.route("/", credentialRoutes(deps.broker));
  app.route("/", secretRoutes(deps.vault));
  app.route("/", approvalRoutes({ approvals, subscribe: (l) => approvalFeed.subscribe(l) }));
  app.route("/", aiRoutes({ db: database.db, budgets: deps.budgets, clock: deps.clock }));
  return app;
}
