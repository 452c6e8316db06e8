import { sql } from "drizzle-orm";
import { TenantId } from "../ids.ts";
import type { Db, Tx } from "./database.ts";

/** The non-owner role every unit of work runs as; see the security migration. */
export const APP_ROLE = "factory_app";

async function scoped<T>(db: Db, tenant: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    // Transaction-local only: pooled and pglite-socket sessions are shared, so nothing may outlive this unit.
    await tx.execute(
      sql`select set_config('role', ${APP_ROLE}, true), set_config('app.tenant_id', ${tenant}, true)`,
    );
    return work(tx);
  });
}

/**
 * Runs one unit of work inside a tenant: as the application role, with `app.tenant_id` set for this
 * transaction only, so row-level security confines every read and write to that tenant's rows.
 */
export function withTenant<T>(db: Db, tenantId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  const parsed = TenantId.safeParse(tenantId);
  if (!parsed.success)
    throw new TypeError(`tenantId ${JSON.stringify(tenantId)} ${parsed.error.issues[0]?.message}`);
  return scoped(db, parsed.data, work);
}

/** Runs platform work (tenant registry, ledger) as the application role with no tenant: tenant rows stay hidden. */
export function asPlatform<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return scoped(db, "", work);
}
