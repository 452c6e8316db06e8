import type { CredentialView } from "../../controller/client/views.ts";
import { AzureDevOpsFactory } from "./factory.ts";

/**
 * One factory per brokered credential, so a grant's calls share the client library's area discovery instead
 * of repeating it on every call. Bounded (the oldest goes first) and expired credentials are dropped: their
 * tokens no longer work, and holding them longer than needed is holding secrets for nothing.
 */
export class FactoryCache {
  readonly #entries = new Map<string, { factory: AzureDevOpsFactory; expiresAt: number }>();

  constructor(
    readonly max = 64,
    readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The credential's factory, built on first use. */
  factoryFor(credential: CredentialView): AzureDevOpsFactory {
    const now = this.now();
    for (const [id, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(id);
    const held = this.#entries.get(credential.id);
    if (held) return held.factory;
    const factory = new AzureDevOpsFactory({
      orgUrl: credential.endpoint,
      token: credential.token,
      kind: tokenKind(credential),
    });
    const expiresAt = Date.parse(credential.expiresAt);
    if (expiresAt > now) {
      if (this.#entries.size >= this.max) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
      this.#entries.set(credential.id, { factory, expiresAt });
    }
    return factory;
  }
}

/** A service principal's credential is its Entra bearer token; every other mode hands out a PAT. */
export const tokenKind = (credential: CredentialView): "pat" | "bearer" =>
  credential.detail.mode === "service principal" ? "bearer" : "pat";
