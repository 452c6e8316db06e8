import { gt } from "drizzle-orm";
import type { Db } from "../db/database.ts";
import { grantRevocations, tenantRevocations } from "../db/schema.ts";
import { asPlatform } from "../db/scope.ts";
import type { RevocationCheck } from "./verifier.ts";

/**
 * The revocations this process knows, answered from memory on every verification: revoked grant ids, and
 * killed tenants with the moment of the kill (every grant of theirs issued until then is dead). The
 * controller adds to it as it revokes; `reload` reads the tables (at start, and as the safety net behind
 * announcements).
 */
export class RevocationList implements RevocationCheck {
  readonly #revoked = new Set<string>();
  readonly #tenants = new Map<string, number>();
  readonly #listeners = new Set<() => void>();

  isRevoked(jti: string): boolean {
    return this.#revoked.has(jti);
  }

  tenantRevokedAt(tenant: string): number | undefined {
    return this.#tenants.get(tenant);
  }

  add(jtis: Iterable<string>): void {
    const before = this.#revoked.size;
    for (const jti of jtis) this.#revoked.add(jti);
    if (this.#revoked.size > before) this.#changed();
  }

  /** Every grant of `tenant` issued at or before `at` (epoch seconds) is revoked. */
  addTenant(tenant: string, at: number): void {
    const before = this.#tenants.get(tenant);
    if (before !== undefined && before >= at) return;
    this.#tenants.set(tenant, at);
    this.#changed();
  }

  /** Calls `listener` after each change (something newly revoked); returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  get size(): number {
    return this.#revoked.size;
  }

  /**
   * Adds every revocation of a grant that has not expired yet, and every tenant kill. It only ever adds: an
   * announcement that arrives while the query runs must not be lost by replacing the list with an older snapshot.
   */
  async reload(db: Db, now = new Date()): Promise<void> {
    const [grants, tenants] = await asPlatform(db, (tx) =>
      Promise.all([
        tx
          .select({ jti: grantRevocations.jti })
          .from(grantRevocations)
          .where(gt(grantRevocations.expiresAt, now)),
        tx.select().from(tenantRevocations),
      ]),
    );
    this.add(grants.map((r) => r.jti));
    for (const t of tenants) this.addTenant(t.tenantId, Math.floor(t.revokedAt.getTime() / 1000));
  }
}
