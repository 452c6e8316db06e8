import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import type { Database } from "../../controller/db/database.ts";
import { SandboxStore } from "../store.ts";
import type { Installation } from "./model.ts";
import { githubSandbox } from "./server.ts";
import { ALL_WRITE, GitHubWorld } from "./world.ts";

/** The App the sandbox registers for the controller's broker. */
export const SANDBOX_APP_ID = 1;

export interface RunningGitHubSandbox {
  url: string;
  world: GitHubWorld;
  /** What the broker needs to mint installation tokens against this sandbox (the private key as PEM). */
  app: { id: number; installationId: number; privateKeyPem: string };
  close(): Promise<void>;
}

/** The sandbox App's private key: made once, kept 0600 beside the controller's other keys. */
async function appKey(keysDir: string): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const path = join(keysDir, "github-sandbox-app.pem");
  const existing = await readFile(path, "utf8").catch(() => undefined);
  if (existing)
    return {
      privateKeyPem: existing,
      publicKeyPem: createPublicKey(createPrivateKey(existing))
        .export({ type: "spki", format: "pem" })
        .toString(),
    };
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  await writeFile(path, privateKeyPem, { mode: 0o600, flag: "wx" });
  return { privateKeyPem, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

/**
 * Serves the GitHub sandbox over `database` with the startup-factory App installed on `org` (every
 * permission granted, so tokens narrow from all of it). Restarting finds the same App and installation.
 */
export async function startGitHubSandbox(
  database: Database,
  options: { host: string; port: number; keysDir: string; org: string },
): Promise<RunningGitHubSandbox> {
  const store = await SandboxStore.open(database, "github_sandbox");
  const world = new GitHubWorld(store);
  await world.addOrg(options.org);
  const key = await appKey(options.keysDir);
  await world.addApp(SANDBOX_APP_ID, "startup-factory", key.publicKeyPem);
  const installations = await store.transaction((o) => o.list<Installation>("installation"));
  const installation =
    installations.find(
      (i) => i.appId === SANDBOX_APP_ID && i.org.toLowerCase() === options.org.toLowerCase(),
    ) ?? (await world.addInstallation(SANDBOX_APP_ID, options.org, ALL_WRITE));
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: githubSandbox(store).fetch, hostname: options.host, port: options.port }, () =>
      resolve(s),
    );
    s.once("error", reject);
  });
  const url = `http://${options.host}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    world,
    app: { id: SANDBOX_APP_ID, installationId: installation.id, privateKeyPem: key.privateKeyPem },
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
