import { generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { SignJWT } from "jose";
import { Secret } from "../../controller/broker/secret.ts";
import type { Database } from "../../controller/db/database.ts";
import { tokenHash } from "../../sandbox/github/auth.ts";
import type { Permissions, Token } from "../../sandbox/github/model.ts";
import { openSealed, secretsKey } from "../../sandbox/github/sealed-box.ts";
import { githubSandbox } from "../../sandbox/github/server.ts";
import { GitHubWorld } from "../../sandbox/github/world.ts";
import { SandboxStore } from "../../sandbox/store.ts";

/** One request the sandbox served, as sent and as answered. */
export interface Exchange {
  method: string;
  path: string;
  requestBody: string;
  status: number;
  responseBody: string;
}

export interface RunningGitHubSandbox {
  url: string;
  world: GitHubWorld;
  appId: number;
  installationId: number;
  /** The provider credentials the controller's broker uses against this sandbox. */
  credentials: {
    github: { apiUrl: string; app: { id: number; installationId: number; privateKey: Secret } };
  };
  /** Every token the sandbox has issued (by hash: it keeps no token in clear). */
  tokens(): Promise<Token[]>;
  /** Whether a token the sandbox issued has been revoked; undefined for a token it never issued. */
  isRevoked(token: string): Promise<boolean | undefined>;
  /** Opens a stored Actions secret with the sandbox's private key, as GitHub would when a workflow runs. */
  openSecret(target: { org: string } | { repoId: number }, name: string): Promise<string | undefined>;
  /** A personal token acting as `login` with every permission (the development mode). */
  personalToken(login?: string): Promise<string>;
  /** An installation token through the real App flow, narrowed as asked. */
  installationToken(narrow: { repositories?: string[]; permissions?: Permissions }): Promise<string>;
  close(): Promise<void>;
}

/**
 * The GitHub sandbox on a loopback port over `database`, with one App installed on organisation `org`
 * (granted `permissions`) and the given repositories.
 */
export async function startGitHubSandbox(options: {
  database: Database;
  org: string;
  repositories: string[];
  permissions: Permissions;
  /** Hears every request and response the sandbox serves (contract tests record them). */
  onExchange?: (exchange: Exchange) => void;
}): Promise<RunningGitHubSandbox> {
  const store = await SandboxStore.open(options.database, "github_sandbox");
  const world = new GitHubWorld(store);
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const appId = 4242;
  await world.addOrg(options.org);
  await world.addApp(appId, "startup-factory", publicKey.export({ type: "spki", format: "pem" }).toString());
  const installation = await world.addInstallation(appId, options.org, options.permissions);
  for (const name of options.repositories) await world.addRepository(options.org, name);
  const app = githubSandbox(store);
  const record = options.onExchange;
  const handler = record
    ? async (request: Request) => {
        const requestBody = await request.clone().text();
        const response = await app.fetch(request);
        const responseBody = await response.clone().text();
        const url = new URL(request.url);
        record({
          method: request.method,
          path: url.pathname,
          requestBody,
          status: response.status,
          responseBody,
        });
        return response;
      }
    : app.fetch;
  const server = serve({ fetch: handler, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokens = () => store.transaction((o) => o.list<Token>("token"));
  return {
    url,
    world,
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
    tokens,
    isRevoked: async (token) =>
      (await store.transaction((o) => o.get<Token>("token", tokenHash(token))))?.revoked,
    openSecret: (target, name) =>
      store.transaction(async (o) => {
        const owner = "org" in target ? `org:${target.org}` : `repo:${target.repoId}`;
        const stored = await o.get<{ encryptedValue: string }>("secret", `${owner}/${name}`);
        return stored ? openSealed(await secretsKey(o, owner), stored.encryptedValue) : undefined;
      }),
    personalToken: (login = "ada") => world.personalToken(login),
    async installationToken(narrow) {
      const now = Math.floor(Date.now() / 1000);
      const jwt = await new SignJWT({})
        .setProtectedHeader({ alg: "RS256" })
        .setIssuer(String(appId))
        .setIssuedAt(now - 30)
        .setExpirationTime(now + 300)
        .sign(privateKey);
      const response = await fetch(`${url}/app/installations/${installation.id}/access_tokens`, {
        method: "POST",
        headers: { authorization: `Bearer ${jwt}`, "content-type": "application/json" },
        body: JSON.stringify(narrow),
      });
      if (response.status !== 201)
        throw new Error(`installation token: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { token: string }).token;
    },
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
