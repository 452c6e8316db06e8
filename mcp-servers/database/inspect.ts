import { locateTenant } from "./locate.ts";
import { securedTables } from "./migrations.ts";
import { ident, type TenantNames } from "./names.ts";
import type { RoleState, TenantSize, TenantStatus } from "./results.ts";
import type { TenantDatabaseTarget } from "./target.ts";

/** The tenant's database as it is: where, which roles, which migrations, which tables under RLS. */
export async function tenantStatus(target: TenantDatabaseTarget, names: TenantNames): Promise<TenantStatus> {
  const base = { tenant: names.tenant, schema: names.schema, passwordsEnforced: target.passwordsEnforced };
  const location = await locateTenant(target, names);
  if (!location)
    return {
      ...base,
      exists: false,
      isolation: null,
      database: null,
      roles: [],
      migrations: [],
      rowLevelSecurity: [],
      unsecured: [],
    };
  return target.transaction(location.database, async (sql) => {
    // Whether a password is set is only in pg_authid, which a non-superuser admin (managed services) may not read.
    const [{ readable } = { readable: false }] = await sql.query<{ readable: boolean }>(
      "select has_table_privilege('pg_catalog.pg_authid', 'select') as readable",
    );
    const found = await sql.query<{
      name: string;
      login: boolean;
      password: boolean | null;
      bypass: boolean;
    }>(
      `select rolname as name, rolcanlogin as login, ${readable ? "rolpassword is not null" : "null::boolean"} as password,
              rolbypassrls as bypass
         from ${readable ? "pg_authid" : "pg_roles"} where rolname = any($1)`,
      [[names.owner, names.app]],
    );
    const roles = (["owner", "app"] as const).map((purpose): RoleState => {
      const name = names[purpose];
      const row = found.find((r) => r.name === name);
      return {
        name,
        purpose,
        exists: row !== undefined,
        canLogin: row?.login ?? false,
        hasPassword: row ? row.password : false,
        bypassesRls: row?.bypass ?? false,
      };
    });
    const migrations = await sql.query<{ id: string; applied_at: Date | string }>(
      `select id, applied_at from ${ident(names.schema)}.schema_migrations order by applied_at, id`,
    );
    const secured = await securedTables(sql, names.schema);
    const all = await sql.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = $1 and c.relkind in ('r', 'p') and c.relname <> 'schema_migrations' order by 1`,
      [names.schema],
    );
    return {
      ...base,
      exists: true,
      isolation: location.isolation,
      database: location.database,
      roles,
      migrations: migrations.map((m) => ({ id: m.id, appliedAt: new Date(m.applied_at).toISOString() })),
      rowLevelSecurity: secured,
      unsecured: all.map((t) => t.name).filter((t) => !secured.includes(t)),
    };
  });
}

/** The tenant's size: its whole database (database isolation) or the sum over its schema's relations. */
export async function tenantSize(
  target: TenantDatabaseTarget,
  names: TenantNames,
): Promise<TenantSize | undefined> {
  const location = await locateTenant(target, names);
  if (!location) return undefined;
  return target.transaction(location.database, async (sql) => {
    if (location.isolation === "database") {
      const [row] = await sql.query<{ bytes: string | number }>(
        "select pg_database_size(current_database()) as bytes",
      );
      return {
        tenant: names.tenant,
        isolation: location.isolation,
        bytes: Number(row?.bytes ?? 0),
        measuredBy: "pg_database_size",
      };
    }
    const [row] = await sql.query<{ bytes: string | number }>(
      `select coalesce(sum(pg_total_relation_size(c.oid)), 0) as bytes
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = $1 and c.relkind in ('r', 'm', 'p')`,
      [names.schema],
    );
    return {
      tenant: names.tenant,
      isolation: location.isolation,
      bytes: Number(row?.bytes ?? 0),
      measuredBy: "pg_total_relation_size",
    };
  });
}
