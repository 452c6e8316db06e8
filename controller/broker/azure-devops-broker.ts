import type { GrantClaims } from "../grants/claims.ts";
import { BrokerError, type BrokeredToken, type ProviderBroker } from "./broker-types.ts";
import type { AzureDevOpsCredentials } from "./provider-config.ts";

/** The Entra resource id of Azure DevOps; `/.default` asks for the identity's own permissions there. */
const AZURE_DEVOPS_SCOPE = "499b84ac-1321-427f-aa17-267ca6975798/.default";

/**
 * Azure DevOps credentials for a grant: the narrowest the configured identity allows. A service principal
 * yields a short-lived Entra access token (its project permissions are what the factory gave it); a PAT is
 * development only and handed out as is. Neither can be revoked per token at Azure DevOps, so a kill there
 * rests on the gate refusing every later call and on the Entra token's short life.
 */
export class AzureDevOpsBroker implements ProviderBroker {
  readonly provider = "azure-devops";
  readonly #config: AzureDevOpsCredentials;
  #entra: { token: string; expiresAt: Date } | undefined;

  constructor(config: AzureDevOpsCredentials) {
    this.#config = config;
  }

  async issue(grant: GrantClaims): Promise<BrokeredToken> {
    const grantExpiry = new Date(grant.exp * 1000);
    if (!this.#config.servicePrincipal) {
      const pat = this.#config.pat?.reveal();
      if (!pat) throw new BrokerError("no Azure DevOps credential is configured");
      return { token: pat, expiresAt: grantExpiry, narrowed: false, detail: { mode: "development PAT" } };
    }
    const entra = await this.#entraToken();
    return {
      token: entra.token,
      expiresAt: entra.expiresAt < grantExpiry ? entra.expiresAt : grantExpiry,
      narrowed: false,
      detail: { mode: "service principal", organization: this.#config.orgUrl },
    };
  }

  async revoke(): Promise<void> {
    // Entra access tokens and the development PAT cannot be revoked per token; see the class comment.
  }

  /** The client-credentials token, reused until two minutes before it expires. */
  async #entraToken(): Promise<{ token: string; expiresAt: Date }> {
    if (this.#entra && this.#entra.expiresAt.getTime() - Date.now() > 120_000) return this.#entra;
    const sp = this.#config.servicePrincipal;
    if (!sp) throw new BrokerError("no service principal is configured");
    const response = await fetch(`${sp.authorityUrl.replace(/\/+$/, "")}/${sp.tenantId}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: sp.clientId,
        client_secret: sp.clientSecret.reveal(),
        scope: AZURE_DEVOPS_SCOPE,
      }),
    }).catch((cause: unknown) => {
      throw new BrokerError("get an Entra token for Azure DevOps", { cause });
    });
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_description?: string;
    };
    if (!response.ok || !body.access_token)
      throw new BrokerError(
        `get an Entra token for Azure DevOps: ${response.status} ${body.error ?? ""} ${body.error_description?.split("\n")[0] ?? ""}`.trim(),
      );
    this.#entra = {
      token: body.access_token,
      expiresAt: new Date(Date.now() + (body.expires_in ?? 3600) * 1000),
    };
    return this.#entra;
  }
}
