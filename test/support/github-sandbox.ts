import { generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Secret } from "../../controller/broker/secret.ts";
import { githubSandbox } from "../../sandbox/github/server.ts";
import { GitHubSandboxState, type Level } from "../../sandbox/github/state.ts";

export interface RunningGitHubSandbox {
  url: string;
  state: GitHubSandboxState;
  appId: number;
  installationId: number;
  /** The provider credentials the controller's broker uses against this sandbox. */
  credentials: {
    github: { apiUrl: string; app: { id: number; installationId: number; privateKey: Secret } };
  };
  close(): Promise<void>;
}

/**
 * The GitHub sandbox on a loopback port, with one App installed on organisation `org` (granted
 * `permissions`) and the given repositories.
 */
export async function startGitHubSandbox(options: {
  org: string;
  repositories: string[];
  permissions: Record<string, Level>;
}): Promise<RunningGitHubSandbox> {
  const state = new GitHubSandboxState();
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const appId = 4242;
  state.addApp(appId, publicKey);
  const installation = state.addInstallation({ appId, org: options.org, permissions: options.permissions });
  for (const name of options.repositories) state.addRepository(options.org, name);
  const server = serve({ fetch: githubSandbox(state).fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    state,
    appId,
    installationId: installation.id,
    credentials: {
      github: {
        apiUrl: url,
        app: {
          id: appId,
          installationId: installation.id,
          privateKey: new Secret(privateKey.export({ type: "pkcs8", format: "pem" }).toString()),
        },
      },
    },
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
