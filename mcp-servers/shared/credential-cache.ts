/** A brokered credential as the cache needs it: which one, its token, and until when it works. */
export interface CachedCredential {
  id: string;
  token: string;
  expiresAt: string;
}

/**
 * One value (a provider client) per brokered credential, so a client is built once per credential rather than
 * once per call. Bounded: expired credentials are dropped, and past `limit` the least recently used goes.
 */
export class CredentialCache<T> {
  readonly #entries = new Map<string, { token: string; expiresAt: number; value: T }>();

  constructor(
    readonly limit = 256,
    readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The value built for this credential, or a new one from `build` (a changed token counts as new). */
  get(credential: CachedCredential, build: () => T): T {
    const now = this.now();
    for (const [id, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(id);
    const hit = this.#entries.get(credential.id);
    this.#entries.delete(credential.id);
    const value = hit && hit.token === credential.token ? hit.value : build();
    // Re-inserted last: Map order is recency order, so the first key is the least recently used.
    this.#entries.set(credential.id, {
      token: credential.token,
      expiresAt: Date.parse(credential.expiresAt),
      value,
    });
    for (const id of this.#entries.keys()) {
      if (this.#entries.size <= this.limit) break;
      this.#entries.delete(id);
    }
    return value;
  }
}
