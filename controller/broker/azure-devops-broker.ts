import type { GrantClaims } from "../grants/claims.ts";
import { createPat, revokePat, vsspsUrlOf } from "./azure-devops-pats.ts";
import { azureDevOpsScopes } from "./azure-devops-scopes.ts";
import { BrokerError, type BrokeredToken, type ProviderBroker } from "./broker-types.ts";
import { type EntraToken, entraToken } from "./entra.ts";
import type { AzureDevOpsCredentials } from "./provider-config.ts";

/** An Entra token is reused until this close to its expiry. */
const REUSE_UNTIL_MS = 2 * 60_000;

const earlier = (a: Date, b: Date) => (a < b ? a : b);

/**
 * Azure DevOps credentials for a grant, the narrowest the configured identity allows.
 * - `user`: an Entra user the broker acts for mints, per grant, a PAT with only the scopes the grant's tools
 *   need, expiring with the grant, and revokes it when the grant dies. Azure DevOps' PAT lifecycle API
 *   answers only a user's Entra token, so this is the one mode that narrows.
 * - `servicePrincipal`: its short-lived Entra token, as is (the PAT API refuses service principals); its
 *   project permissions are what the factory gave it.
 * - `pat`: development only, handed out as is (the PAT API refuses PATs too).
 * The last two cannot be revoked per token, so a kill rests on the gate refusing every later call.
 */
export class AzureDevOpsBroker implements ProviderBroker {
  readonly provider = "azure-devops";
  readonly #config: AzureDevOpsCredentials;
  readonly #vsspsUrl: string;
  #entra: Promise<EntraToken> | undefined;
  /** The user's newest refresh token: Entra hands out a new one with each access token. */
  #refreshToken: string | undefined;

  get endpoint(): string {
    return this.#config.orgUrl;
  }

  constructor(config: AzureDevOpsCredentials) {
    this.#config = config;
    this.#vsspsUrl = (config.vsspsUrl ?? vsspsUrlOf(config.orgUrl)).replace(/\/+$/, "");
  }

  async issue(grant: GrantClaims): Promise<BrokeredToken> {
    const grantExpiry = new Date(grant.exp * 1000);
    if (this.#config.user) {
      const scopes = azureDevOpsScopes(grant.scope);
      const pat = await createPat(this.#vsspsUrl, (await this.#entraToken()).token, {
        displayName: `startup-factory ${grant.tenant} ${grant.persona} ${grant.jti}`,
        scopes,
        validTo: grantExpiry,
      });
      return {
        token: pat.token,
        expiresAt: earlier(pat.validTo, grantExpiry),
        narrowed: true,
        detail: { mode: "user PAT", scopes: pat.scopes, authorizationId: pat.authorizationId },
      };
    }
    if (this.#config.servicePrincipal) {
      const entra = await this.#entraToken();
      return {
        token: entra.token,
        expiresAt: earlier(entra.expiresAt, grantExpiry),
        narrowed: false,
        detail: { mode: "service principal", organization: this.#config.orgUrl },
      };
    }
    const pat = this.#config.pat?.reveal();
    if (!pat) throw new BrokerError("no Azure DevOps credential is configured");
    return { token: pat, expiresAt: grantExpiry, narrowed: false, detail: { mode: "development PAT" } };
  }

  /** Revokes a PAT the broker minted (by its authorization id); the other modes' tokens cannot be. */
  async revoke(_token: string, detail: Record<string, unknown>): Promise<void> {
    if (!this.#config.user || typeof detail.authorizationId !== "string") return;
    await revokePat(this.#vsspsUrl, (await this.#entraToken()).token, detail.authorizationId);
  }

  /** The configured identity's Entra token, shared by concurrent callers and reused until near its end. */
  async #entraToken(): Promise<EntraToken> {
    const current = this.#entra;
    const held = await current?.catch(() => undefined);
    if (held && held.expiresAt.getTime() - Date.now() > REUSE_UNTIL_MS) return held;
    if (this.#entra === current) this.#entra = this.#fetchEntraToken();
    return this.#entra as Promise<EntraToken>;
  }

  async #fetchEntraToken(): Promise<EntraToken> {
    const { user, servicePrincipal } = this.#config;
    if (user) {
      const token = await entraToken(user, {
        kind: "refresh_token",
        refreshToken: this.#refreshToken ?? user.refreshToken.reveal(),
        ...(user.clientSecret ? { clientSecret: user.clientSecret } : {}),
      });
      if (token.refreshToken) this.#refreshToken = token.refreshToken;
      return token;
    }
    if (servicePrincipal)
      return entraToken(servicePrincipal, {
        kind: "client_credentials",
        clientSecret: servicePrincipal.clientSecret,
      });
    throw new BrokerError("no Entra identity is configured");
  }
}
