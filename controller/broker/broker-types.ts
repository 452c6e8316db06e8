import type { GrantClaims } from "../grants/claims.ts";

/** A provider refused or failed; the message says which operation, `cause` keeps the provider's error. */
export class BrokerError extends Error {
  override name = "BrokerError";
}

/** A provider credential as minted for one grant. */
export interface BrokeredToken {
  token: string;
  expiresAt: Date;
  /** False when the configured identity cannot mint anything narrower than itself (development modes). */
  narrowed: boolean;
  /** What the token allows (permissions, repositories, scopes); never the token. */
  detail: Record<string, unknown>;
}

/** One provider's minting and revocation of credentials narrowed to a grant. */
export interface ProviderBroker {
  readonly provider: string;
  /** Where the provider's API is (GitHub's API URL, the Azure DevOps organisation URL): servers hold no config. */
  readonly endpoint: string;
  issue(grant: GrantClaims): Promise<BrokeredToken>;
  revoke(token: string, detail: Record<string, unknown>): Promise<void>;
}
