import { type ServerType, serve } from "@hono/node-server";
import { createApp } from "./http/app.ts";
import type { Runtime } from "./runtime.ts";

export interface RunningController {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the controller's API and signs a ledger checkpoint every interval (and once more on close), so
 * entries are covered by a signature soon after they are written.
 */
export async function serveController(
  runtime: Runtime,
  options: { extend?: (app: ReturnType<typeof createApp>) => void } = {},
): Promise<RunningController> {
  const { config, ledger } = runtime;
  const app = createApp(runtime, config.http);
  // Routes the controller does not own (the MCP servers' HTTP transport), mounted by the composition root.
  options.extend?.(app);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.http.host, port: config.http.port }, () =>
      resolve(s),
    );
    s.once("error", reject);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.http.port;
  await ledger.append({
    tenant: null,
    actor: "controller",
    action: "controller.started",
    resource: `http://${config.http.host}:${port}`,
    payload: { database: runtime.database.kind },
  });
  const timer = setInterval(() => {
    ledger.checkpoint().catch((error) => console.error("ledger checkpoint failed:", error));
  }, config.ledger.checkpointIntervalSeconds * 1000);
  timer.unref();
  // Listing and voting expire approvals lazily too; the sweep settles the ones nobody looks at.
  const sweep = setInterval(() => {
    runtime.approvals.expireAll().catch((error) => console.error("approval expiry failed:", error));
  }, 60_000);
  sweep.unref();
  return {
    url: `http://${config.http.host}:${port}`,
    async close() {
      clearInterval(timer);
      clearInterval(sweep);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ledger.append({
        tenant: null,
        actor: "controller",
        action: "controller.stopped",
        resource: `http://${config.http.host}:${port}`,
        payload: {},
      });
      await ledger.checkpoint();
    },
  };
}
