import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../db/database.ts";
import { providerCredentials } from "../db/schema.ts";
import { withTenant } from "../db/scope.ts";
import type { GrantClaims } from "../grants/claims.ts";
import type { RevocationList } from "../grants/revocations.ts";
import { revocationOf } from "../grants/verifier.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { sensitive } from "../ledger/sensitive.ts";
import { appendInTransaction } from "../ledger/store.ts";
import type { ServerName } from "../policy/model.ts";
import { BrokerError, type ProviderBroker } from "./broker-types.ts";

/** A credential is handed out again until this close to its expiry; then a fresh one is minted. */
const RENEW_BEFORE_MS = 2 * 60_000;

/** What an MCP server receives for a grant: the provider token and what it allows. */
export interface ProviderCredential {
  id: string;
  provider: string;
  /** The provider API the token is for. */
  endpoint: string;
  token: string;
  expiresAt: Date;
  narrowed: boolean;
  detail: Record<string, unknown>;
}

/** No provider credentials are configured for the grant's server (or it has no provider at all). */
export class CredentialsNotConfigured extends BrokerError {
  override name = "CredentialsNotConfigured";
}

interface Held {
  grant: GrantClaims;
  broker: ProviderBroker;
  credential: ProviderCredential;
}

export interface CredentialBrokerDeps {
  db: Db;
  ledger: Ledger;
  revocations: RevocationList;
  providers: Partial<Record<ServerName, ProviderBroker>>;
  clock?: () => Date;
  onError?: (error: unknown) => void;
}

/**
 * Hands out provider credentials narrowed to a grant, one per grant, and takes them back at the provider when
 * the grant dies. Each is recorded (a keyed fingerprint, never the token) with a ledger entry before it is
 * handed out. The tokens themselves stay in this process's memory only: it is the process that revokes
 * them, when its revocation list (fed by LISTEN/NOTIFY and the reconcile) learns of a kill.
 */
export class CredentialBroker {
  readonly #deps: CredentialBrokerDeps;
  readonly #held = new Map<string, Promise<Held>>();
  readonly #unsubscribe: () => void;
  #sweeping: Promise<void> | undefined;
  #sweepAgain = false;

  constructor(deps: CredentialBrokerDeps) {
    this.#deps = deps;
    this.#unsubscribe = deps.revocations.onChange(() => void this.sweep());
  }

  #now(): Date {
    return (this.#deps.clock ?? (() => new Date()))();
  }

  /** The credential for a verified grant: the one already handed out while it is fresh, else a new one. */
  async credentialFor(grant: GrantClaims): Promise<ProviderCredential> {
    const dead = revocationOf(grant, this.#deps.revocations);
    if (dead) throw dead;
    const broker = this.#deps.providers[grant.aud];
    if (!broker)
      throw new CredentialsNotConfigured(
        `no provider credentials are configured for the ${grant.aud} server`,
      );
    const pending = this.#held.get(grant.jti);
    if (pending) {
      const held = await pending.catch(() => undefined);
      if (held && held.credential.expiresAt.getTime() - this.#now().getTime() > RENEW_BEFORE_MS)
        return held.credential;
      // Near its end (or failed): dropped, not revoked, since a call may still be using it for a moment.
      if (this.#held.get(grant.jti) === pending) this.#held.delete(grant.jti);
      return this.credentialFor(grant);
    }
    const issuing = this.#issue(grant, broker);
    this.#held.set(grant.jti, issuing);
    issuing.catch(() => {
      if (this.#held.get(grant.jti) === issuing) this.#held.delete(grant.jti);
    });
    return (await issuing).credential;
  }

  async #issue(grant: GrantClaims, broker: ProviderBroker): Promise<Held> {
    const token = await broker.issue(grant);
    const credential: ProviderCredential = {
      id: `crd_${randomUUID()}`,
      provider: broker.provider,
      endpoint: broker.endpoint,
      token: token.token,
      expiresAt: token.expiresAt,
      narrowed: token.narrowed,
      detail: token.detail,
    };
    try {
      await this.#record(grant, credential);
    } catch (error) {
      // Unrecorded, it must not live: take it back before reporting the failure.
      await broker.revoke(token.token, token.detail).catch(() => {});
      throw error;
    }
    const held = { grant, broker, credential };
    // Killed while the provider was minting: the sweep ran before this existed, so retire it here.
    const dead = revocationOf(grant, this.#deps.revocations);
    if (dead) {
      await this.#retire(held, "grant revoked");
      throw dead;
    }
    return held;
  }

  /** The row and the `credential.issued` entry, in one transaction, with the same keyed fingerprint. */
  async #record(grant: GrantClaims, credential: ProviderCredential): Promise<void> {
    const now = this.#now();
    const entry = this.#deps.ledger.prepare({
      tenant: grant.tenant,
      actor: `agent:${grant.sub}`,
      action: "credential.issued",
      resource: `credential:${credential.id}`,
      payload: {
        grant: grant.jti,
        provider: credential.provider,
        fingerprint: sensitive(credential.token),
        narrowed: credential.narrowed,
        detail: credential.detail as never,
        expiresAt: credential.expiresAt.toISOString(),
      },
    });
    const fingerprint = (entry.payload as { fingerprint: { $hmac: string } }).fingerprint.$hmac;
    await withTenant(this.#deps.db, grant.tenant, async (tx) => {
      await tx.insert(providerCredentials).values({
        id: credential.id,
        tenantId: grant.tenant,
        grantJti: grant.jti,
        provider: credential.provider,
        fingerprint,
        narrowed: credential.narrowed,
        detail: credential.detail,
        issuedAt: now,
        expiresAt: credential.expiresAt,
      });
      await appendInTransaction(tx, [entry], now);
    });
  }

  /**
   * Revokes at the provider every credential whose grant is now dead, and forgets expired ones. Runs after
   * every change to the revocation list; overlapping calls fold into one more pass.
   */
  sweep(): Promise<void> {
    if (this.#sweeping) {
      this.#sweepAgain = true;
      return this.#sweeping;
    }
    this.#sweeping = (async () => {
      do {
        this.#sweepAgain = false;
        await this.#sweepOnce();
      } while (this.#sweepAgain);
    })().finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  async #sweepOnce(): Promise<void> {
    const now = this.#now().getTime();
    for (const [jti, pending] of [...this.#held]) {
      const held = await pending.catch(() => undefined);
      if (!held) continue;
      const dead = revocationOf(held.grant, this.#deps.revocations) !== undefined;
      const expired = held.credential.expiresAt.getTime() <= now;
      if (!dead && !expired) continue;
      if (this.#held.get(jti) === pending) this.#held.delete(jti);
      if (dead) await this.#retire(held, "grant revoked");
    }
  }

  /** Revokes at the provider, then marks the row and writes `credential.revoked`; failures are reported, not thrown. */
  async #retire(held: Held, reason: string): Promise<void> {
    const { grant, broker, credential } = held;
    try {
      await broker.revoke(credential.token, credential.detail);
      const now = this.#now();
      await withTenant(this.#deps.db, grant.tenant, async (tx) => {
        await tx
          .update(providerCredentials)
          .set({ revokedAt: now })
          .where(eq(providerCredentials.id, credential.id));
        const entry = this.#deps.ledger.prepare({
          tenant: grant.tenant,
          actor: "controller",
          action: "credential.revoked",
          resource: `credential:${credential.id}`,
          payload: { grant: grant.jti, provider: credential.provider, reason },
        });
        await appendInTransaction(tx, [entry], now);
      });
    } catch (error) {
      this.#deps.onError?.(new BrokerError(`revoking credential ${credential.id} failed`, { cause: error }));
    }
  }

  /** Revokes every credential still held: none may outlive the process that can take it back. */
  async close(): Promise<void> {
    this.#unsubscribe();
    await this.#sweeping;
    const all = await Promise.all([...this.#held.values()].map((p) => p.catch(() => undefined)));
    this.#held.clear();
    for (const held of all) if (held) await this.#retire(held, "controller stopped");
  }
}
