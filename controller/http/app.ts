import { sql } from "drizzle-orm";
import { Hono } from "hono";
import type { Services } from "../services.ts";
import { approvalRoutes } from "./approval-routes.ts";
import { intentRoutes } from "./intent-routes.ts";
import { operatorRoutes } from "./operator-routes.ts";
import { Problem, renderProblem } from "./problem.ts";
import { tokenRoutes } from "./token-routes.ts";

export type AppDeps = Omit<Services, "close">;

/** The controller's HTTP API, without `listen`: tests call `app.request(...)`. */
export function createApp(deps: AppDeps): Hono {
  const { database, ledger, grants, intents, approvals, approvalFeed } = deps;
  const app = new Hono();
  app.onError(renderProblem);
  app.notFound(() => {
    throw new Problem(404, "https://startup-factory.dev/problems/not-found", "no such route");
  });

  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get("/ready", async (c) => {
    try {
      await database.db.execute(sql`select 1`);
    } catch {
      throw new Problem(503, "https://startup-factory.dev/problems/not-ready", "database unavailable");
    }
    return c.json({ status: "ready", database: database.kind });
  });
  app.get("/ledger/head", async (c) => c.json(await ledger.head()));
  app.get("/ledger/checkpoints", async (c) => c.json({ checkpoints: await ledger.checkpoints() }));
  app.get("/.well-known/ledger-key.json", (c) => c.json({ keys: [ledger.publicJwk] }));
  app.route("/", tokenRoutes(grants));
  app.route("/", operatorRoutes({ db: database.db, ledger, grants, intents }));
  app.route("/", intentRoutes({ grants, intents }));
  app.route("/", approvalRoutes({ db: database.db, approvals, subscribe: (l) => approvalFeed.subscribe(l) }));
  return app;
}
