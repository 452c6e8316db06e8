import { DatabaseFactoryError } from "./errors.ts";
import { databaseFor, locateTenant } from "./locate.ts";
import { type Isolation, ident, type TenantNames } from "./names.ts";
import type { Provisioned } from "./results.ts";
import type { SqlSession, TenantDatabaseTarget } from "./target.ts";

const OPERATION = "provision the database";

/**
 * Provisions a tenant's database target, converging on: an owner role (NOLOGIN) owning the tenant's schema;
 * an application role (LOGIN, no password until the first rotation, NOBYPASSRLS) with USAGE on the schema
 * and DML on its tables through default privileges; CONNECT for those two only (database isolation); and
 * an empty `schema_migrations` table. Everything but CREATE DATABASE happens in one transaction; a database
 * this call created is dropped again if the rest fails. A tenant already provisioned with the other
 * isolation is refused: moving it is a data migration, not a provisioning step.
 */
export async function provisionTenant(
  target: TenantDatabaseTarget,
  names: TenantNames,
  isolation: Isolation,
): Promise<Provisioned> {
  const existing = await locateTenant(target, names);
  if (existing && existing.isolation !== isolation)
    throw new DatabaseFactoryError(
      OPERATION,
      names.tenant,
      `it is already provisioned with ${existing.isolation} isolation and policy now asks for ${isolation}; moving a tenant between isolations is a data migration this factory does not do`,
    );
  const database = databaseFor(target, names, isolation);
  const created: string[] = [];
  let createdDatabase = false;
  if (isolation === "database" && !(await target.databaseExists(database))) {
    await target.createDatabase(database);
    createdDatabase = true;
  }
  try {
    created.push(...(await target.transaction(database, (sql) => ensureObjects(sql, names, isolation))));
  } catch (error) {
    if (createdDatabase) await target.dropDatabase(database).catch(() => {});
    throw error;
  }
  if (createdDatabase) created.unshift(`database ${database}`);
  return {
    tenant: names.tenant,
    isolation,
    database,
    schema: names.schema,
    ownerRole: names.owner,
    appRole: names.app,
    created,
  };
}

async function ensureObjects(sql: SqlSession, names: TenantNames, isolation: Isolation): Promise<string[]> {
  const created: string[] = [];
  const { schema, owner, app } = names;
  const roleExists = async (role: string) =>
    (await sql.query("select 1 from pg_roles where rolname = $1", [role])).length > 0;
  if (!(await roleExists(owner))) {
    await sql.exec(`create role ${ident(owner)} nologin noinherit nocreatedb nocreaterole nobypassrls`);
    created.push(`role ${owner}`);
  }
  if (!(await roleExists(app))) {
    // No password yet: nobody can log in as it until the first rotation puts one in the vault.
    await sql.exec(`create role ${ident(app)} login noinherit nocreatedb nocreaterole nobypassrls`);
    created.push(`role ${app}`);
  }
  const [{ db }] = (await sql.query<{ db: string }>("select current_database() as db")) as [{ db: string }];
  if (isolation === "database") await sql.exec(`revoke all on database ${ident(db)} from public`);
  await sql.exec(`grant connect on database ${ident(db)} to ${ident(owner)}, ${ident(app)}`);
  if ((await sql.query("select 1 from pg_namespace where nspname = $1", [schema])).length === 0) {
    await sql.exec(`create schema ${ident(schema)} authorization ${ident(owner)}`);
    created.push(`schema ${schema}`);
  }
  await sql.exec(
    [
      `revoke all on schema ${ident(schema)} from public`,
      `grant usage on schema ${ident(schema)} to ${ident(app)}`,
      // Tables and sequences the owner creates later (the tenant's migrations) are the app's to use, not alter.
      `alter default privileges for role ${ident(owner)} in schema ${ident(schema)} grant select, insert, update, delete on tables to ${ident(app)}`,
      `alter default privileges for role ${ident(owner)} in schema ${ident(schema)} grant usage, select on sequences to ${ident(app)}`,
    ].join(";\n"),
  );
  const table = `${ident(schema)}.schema_migrations`;
  if ((await sql.query("select to_regclass($1) as t", [`${schema}.schema_migrations`]))[0]?.t == null) {
    await sql.exec(
      [
        `create table ${table} (id text primary key, checksum text not null, applied_at timestamptz not null default now())`,
        `alter table ${table} owner to ${ident(owner)}`,
      ].join(";\n"),
    );
    created.push(`table ${schema}.schema_migrations`);
  }
  return created;
}
