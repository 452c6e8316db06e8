import { BrokerError } from "./broker-types.ts";
import type { Secret } from "./secret.ts";

/** The Entra resource id of Azure DevOps; `/.default` asks for the identity's own permissions there. */
const AZURE_DEVOPS_SCOPE = "499b84ac-1321-427f-aa17-267ca6975798/.default";

export interface EntraToken {
  token: string;
  expiresAt: Date;
  /** Entra rotates a user's refresh token on each use; the newest is kept for the next. */
  refreshToken?: string;
}

/** How to ask Entra: a service principal's own credentials, or a user's refresh token. */
export type EntraGrant =
  | { kind: "client_credentials"; clientSecret: Secret }
  | { kind: "refresh_token"; refreshToken: string; clientSecret?: Secret };

/** An Entra access token for Azure DevOps from `{authorityUrl}/{tenantId}/oauth2/v2.0/token`; errors name no secret. */
export async function entraToken(
  identity: { authorityUrl: string; tenantId: string; clientId: string },
  grant: EntraGrant,
): Promise<EntraToken> {
  const form = new URLSearchParams({ client_id: identity.clientId, grant_type: grant.kind });
  if (grant.kind === "client_credentials") form.set("scope", AZURE_DEVOPS_SCOPE);
  else {
    form.set("scope", `${AZURE_DEVOPS_SCOPE} offline_access`);
    form.set("refresh_token", grant.refreshToken);
  }
  if (grant.clientSecret) form.set("client_secret", grant.clientSecret.reveal());
  const url = `${identity.authorityUrl.replace(/\/+$/, "")}/${identity.tenantId}/oauth2/v2.0/token`;
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form,
  }).catch((cause: unknown) => {
    throw new BrokerError("get an Entra token for Azure DevOps", { cause });
  });
  const body = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    refresh_token?: string;
    expires_in?: number;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !body.access_token)
    throw new BrokerError(
      `get an Entra token for Azure DevOps: ${response.status} ${body.error ?? ""} ${body.error_description?.split("\n")[0] ?? ""}`.trim(),
    );
  return {
    token: body.access_token,
    expiresAt: new Date(Date.now() + (body.expires_in ?? 3600) * 1000),
    ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}),
  };
}
