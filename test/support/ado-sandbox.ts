import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Database } from "../../controller/db/database.ts";
import { azureDevOpsSandbox } from "../../sandbox/azure-devops/server.ts";
import { AdoWorld } from "../../sandbox/azure-devops/world.ts";
import { SandboxStore } from "../../sandbox/store.ts";

export interface RunningAdoSandbox {
  /** The organisation's URL, as the client library takes it. */
  orgUrl: string;
  world: AdoWorld;
  /** A PAT in the organisation with these scopes (full access by default). */
  pat(scopes?: string[]): Promise<string>;
  close(): Promise<void>;
}

/** The Azure DevOps sandbox on a loopback port over `database`, with organisation `org`. */
export async function startAdoSandbox(options: {
  database: Database;
  org: string;
  projectCreationMs?: number;
}): Promise<RunningAdoSandbox> {
  const store = await SandboxStore.open(options.database, "azure_devops_sandbox");
  const world = new AdoWorld(store);
  await world.addOrg(options.org);
  const app = azureDevOpsSandbox(store, {
    projectCreationMs: options.projectCreationMs ?? 50,
    pipelineRunMs: 50,
  });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const orgUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${options.org}`;
  return {
    orgUrl,
    world,
    pat: (scopes) => world.pat(options.org, "ada@example.com", scopes),
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
