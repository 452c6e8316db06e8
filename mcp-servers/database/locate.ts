import type { Isolation, TenantNames } from "./names.ts";
import type { TenantDatabaseTarget } from "./target.ts";

/** Where a provisioned tenant's data is: which database holds its schema, and how it is isolated. */
export interface TenantLocation {
  isolation: Isolation;
  database: string;
}

/**
 * Finds the tenant as it was provisioned, whatever the policy says now: its own database, else its schema
 * in the shared database, else nowhere (undefined).
 */
export async function locateTenant(
  target: TenantDatabaseTarget,
  names: TenantNames,
): Promise<TenantLocation | undefined> {
  if (await target.databaseExists(names.database)) {
    const found = await target.transaction(names.database, (sql) => schemaExists(sql, names.schema));
    if (found) return { isolation: "database", database: names.database };
  }
  const shared = await target.transaction(target.sharedDatabase, (sql) => schemaExists(sql, names.schema));
  return shared ? { isolation: "schema", database: target.sharedDatabase } : undefined;
}

/** The database a tenant provisioned with `isolation` lives in. */
export const databaseFor = (target: TenantDatabaseTarget, names: TenantNames, isolation: Isolation) =>
  isolation === "database" ? names.database : target.sharedDatabase;

async function schemaExists(
  sql: { query<T>(text: string, params?: unknown[]): Promise<T[]> },
  schema: string,
): Promise<boolean> {
  const rows = await sql.query("select 1 from pg_namespace where nspname = $1", [schema]);
  return rows.length > 0;
}
