import { gt } from "drizzle-orm";
import type { Db } from "../db/database.ts";
import { grantRevocations } from "../db/schema.ts";
import { asPlatform } from "../db/scope.ts";
import type { RevocationCheck } from "./verifier.ts";

/**
 * The revoked grant ids this process knows, answered from memory on every verification. The controller
 * adds to it as it revokes; `reload` reads the table (at start, and as the safety net behind notifications).
 */
export class RevocationList implements RevocationCheck {
  readonly #revoked = new Set<string>();

  isRevoked(jti: string): boolean {
    return this.#revoked.has(jti);
  }

  add(jtis: Iterable<string>): void {
    for (const jti of jtis) this.#revoked.add(jti);
  }

  get size(): number {
    return this.#revoked.size;
  }

  /**
   * Adds every revocation of a grant that has not expired yet. It only ever adds: an announcement that
   * arrives while the query runs must not be lost by replacing the set with an older snapshot.
   */
  async reload(db: Db, now = new Date()): Promise<void> {
    const rows = await asPlatform(db, (tx) =>
      tx
        .select({ jti: grantRevocations.jti })
        .from(grantRevocations)
        .where(gt(grantRevocations.expiresAt, now)),
    );
    this.add(rows.map((r) => r.jti));
  }
}
