import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { AdoWorld } from "../../sandbox/azure-devops/world.ts";

export interface RunningEntra {
  /** The authority URL, as `login.microsoftonline.com` is configured. */
  authorityUrl: string;
  tenantId: string;
  clientId: string;
  /** A refresh token for the user, as one interactive sign-in with offline_access would leave. */
  refreshToken: string;
  clientSecret: string;
  /** How many access tokens it has handed out. */
  issued(): number;
  close(): Promise<void>;
}

/**
 * A stand-in for Entra's token endpoint that issues Azure DevOps sandbox tokens: the refresh-token grant for
 * `user` (rotating the refresh token on each use, as Entra does) and client credentials for a service principal.
 */
export async function startEntra(options: {
  world: AdoWorld;
  org: string;
  user: string;
}): Promise<RunningEntra> {
  const tenantId = "00000000-0000-4000-a000-00000000e17a";
  const clientId = "11111111-1111-4111-a111-111111111111";
  const clientSecret = randomBytes(16).toString("hex");
  const live = new Set([randomBytes(24).toString("base64url")]);
  const [refreshToken] = [...live] as [string];
  let issued = 0;
  const refuse = (error: string, description: string) => ({ error, error_description: description });
  const app = new Hono();
  app.post(`/${tenantId}/oauth2/v2.0/token`, async (c) => {
    const form = new URLSearchParams(await c.req.text());
    if (form.get("client_id") !== clientId)
      return c.json(refuse("invalid_client", "AADSTS700016: unknown application"), 400);
    if (!form.get("scope")?.startsWith("499b84ac-1321-427f-aa17-267ca6975798/.default"))
      return c.json(refuse("invalid_scope", "AADSTS70011: the scope is not Azure DevOps"), 400);
    let token: string;
    let next: string | undefined;
    if (form.get("grant_type") === "refresh_token") {
      const presented = form.get("refresh_token") ?? "";
      if (!live.has(presented))
        return c.json(refuse("invalid_grant", "AADSTS70008: the refresh token has expired"), 400);
      next = randomBytes(24).toString("base64url");
      live.add(next);
      token = await options.world.entraToken(options.org, options.user);
    } else if (
      form.get("grant_type") === "client_credentials" &&
      form.get("client_secret") === clientSecret
    ) {
      token = await options.world.entraToken(options.org, `app:${clientId}`, { kind: "servicePrincipal" });
    } else return c.json(refuse("unauthorized_client", "AADSTS7000215: invalid client secret"), 401);
    issued += 1;
    return c.json({
      token_type: "Bearer",
      expires_in: 3599,
      access_token: token,
      ...(next ? { refresh_token: next } : {}),
    });
  });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  return {
    authorityUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tenantId,
    clientId,
    refreshToken,
    clientSecret,
    issued: () => issued,
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
