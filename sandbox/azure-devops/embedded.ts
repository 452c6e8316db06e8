import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import type { Database } from "../../controller/db/database.ts";
import { SandboxStore } from "../store.ts";
import { type AdoSandboxOptions, azureDevOpsSandbox } from "./server.ts";
import { AdoWorld } from "./world.ts";

export interface RunningAzureDevOpsSandbox {
  /** The organisation's URL, as azure-devops-node-api takes it. */
  orgUrl: string;
  world: AdoWorld;
  close(): Promise<void>;
}

/** Serves the Azure DevOps sandbox over `database` with organisation `org`. */
export async function startAzureDevOpsSandbox(
  database: Database,
  options: { host: string; port: number; org: string; timing?: AdoSandboxOptions },
): Promise<RunningAzureDevOpsSandbox> {
  const store = await SandboxStore.open(database, "azure_devops_sandbox");
  const world = new AdoWorld(store);
  await world.addOrg(options.org);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve(
      { fetch: azureDevOpsSandbox(store, options.timing).fetch, hostname: options.host, port: options.port },
      () => resolve(s),
    );
    s.once("error", reject);
  });
  return {
    orgUrl: `http://${options.host}:${(server.address() as AddressInfo).port}/${options.org}`,
    world,
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
