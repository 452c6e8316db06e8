import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/database.ts";
import { tenantSecrets, tenants } from "../db/schema.ts";
import { withTenant } from "../db/scope.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { sensitive } from "../ledger/sensitive.ts";
import { appendInTransaction } from "../ledger/store.ts";
import type { VaultKey } from "./vault-key.ts";

/** `secret://<tenant>/<path>`: the tenant it belongs to is part of the name. */
export const SecretRefPath = z
  .string()
  .max(300)
  .regex(
    /^secret:\/\/[a-z][a-z0-9]{1,30}\/[a-z0-9][a-z0-9/_.-]*$/,
    "must be secret://<tenant>/<path> in lowercase letters, digits, / _ . -",
  )
  .describe("the secret's reference, e.g. secret://acme/database/app");

/** A secret's value: any text up to 64 KiB. */
export const SecretValue = z
  .string()
  .min(1)
  .max(65_536)
  .describe("the value; never logged or returned elsewhere");

/** The ref names another tenant than the caller's. */
export class SecretOutsideTenant extends Error {
  override name = "SecretOutsideTenant";
}
/** Nothing is stored under the ref (or its tenant does not exist). */
export class SecretNotFound extends Error {
  override name = "SecretNotFound";
}

export const tenantOfRef = (ref: string): string => ref.slice("secret://".length).split("/")[0] ?? "";

export interface StoredSecret {
  ref: string;
  /** `hmac-sha256:<key id>:<hex>` under the ledger's HMAC key: comparable, not reversible. */
  fingerprint: string;
  updatedAt: Date;
}

/**
 * The controller's small secret vault. Values are encrypted (see VaultKey) with the tenant and ref bound in,
 * kept in `tenant_secrets` under row-level security, and every store and every resolution is a ledger
 * entry carrying the ref (and for a store the value's keyed fingerprint), never the value.
 */
export class SecretVault {
  readonly #db: Db;
  readonly #ledger: Ledger;
  readonly #key: VaultKey;
  readonly #clock: () => Date;

  constructor(deps: { db: Db; ledger: Ledger; key: VaultKey; clock?: () => Date }) {
    this.#db = deps.db;
    this.#ledger = deps.ledger;
    this.#key = deps.key;
    this.#clock = deps.clock ?? (() => new Date());
  }

  #inTenant(tenant: string, ref: string): void {
    if (tenantOfRef(ref) !== tenant)
      throw new SecretOutsideTenant(
        `${ref} is not a secret of tenant ${tenant}: refs must start with secret://${tenant}/`,
      );
  }

  /** Stores (or replaces) `value` under `ref` for `tenant`, on behalf of `actor`. */
  async store(tenant: string, ref: string, value: string, actor: string): Promise<StoredSecret> {
    this.#inTenant(tenant, ref);
    const now = this.#clock();
    const entry = this.#ledger.prepare({
      tenant,
      actor,
      action: "secret.stored",
      resource: `secret:${ref}`,
      payload: { ref, fingerprint: sensitive(value) },
    });
    const fingerprint = (entry.payload as { fingerprint: { $hmac: string } }).fingerprint.$hmac;
    const ciphertext = this.#key.encrypt(value, `${tenant}\n${ref}`);
    await withTenant(this.#db, tenant, async (tx) => {
      const [known] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenant));
      if (!known) throw new SecretNotFound(`no tenant ${tenant}`);
      await tx
        .insert(tenantSecrets)
        .values({ tenantId: tenant, ref, ciphertext, fingerprint, updatedAt: now })
        .onConflictDoUpdate({
          target: [tenantSecrets.tenantId, tenantSecrets.ref],
          set: { ciphertext, fingerprint, updatedAt: now },
        });
      await appendInTransaction(tx, [entry], now);
    });
    return { ref, fingerprint, updatedAt: now };
  }

  /** The value stored under `ref`, for a caller in `tenant`; the resolution is recorded. */
  async resolve(tenant: string, ref: string, actor: string): Promise<string> {
    this.#inTenant(tenant, ref);
    const now = this.#clock();
    return withTenant(this.#db, tenant, async (tx) => {
      const [row] = await tx
        .select({ ciphertext: tenantSecrets.ciphertext, fingerprint: tenantSecrets.fingerprint })
        .from(tenantSecrets)
        .where(and(eq(tenantSecrets.tenantId, tenant), eq(tenantSecrets.ref, ref)));
      if (!row) throw new SecretNotFound(`nothing is stored under ${ref}`);
      const value = this.#key.decrypt(row.ciphertext, `${tenant}\n${ref}`);
      const entry = this.#ledger.prepare({
        tenant,
        actor,
        action: "secret.resolved",
        resource: `secret:${ref}`,
        payload: { ref, fingerprint: row.fingerprint },
      });
      await appendInTransaction(tx, [entry], now);
      return value;
    });
  }
}
