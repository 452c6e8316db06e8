import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { DatabaseFactoryError, messageOf } from "./errors.ts";
import type { TenantLocation } from "./locate.ts";
import { ident, literal, type TenantNames } from "./names.ts";
import type { MigrationRun } from "./results.ts";
import { scramVerifier } from "./scram.ts";
import type { SqlSession, TenantDatabaseTarget } from "./target.ts";

/** One migration file: applied once, in the order given, recorded by id. */
export const Migration = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "must be 1-100 letters, digits, . _ or -")
    .describe("the migration's id, e.g. 0001_create_notes; recorded in schema_migrations"),
  sql: z
    .string()
    .min(1)
    .max(1_000_000)
    .describe("the SQL to run, several statements allowed; unqualified names land in the tenant's schema"),
});
export type Migration = z.infer<typeof Migration>;

/** A list of migrations, ids unique. */
export const Migrations = z
  .array(Migration)
  .min(1)
  .max(500)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((m, i) => {
      if (seen.has(m.id))
        ctx.addIssue({ code: "custom", path: [i, "id"], message: `${m.id} appears more than once` });
      seen.add(m.id);
    });
  })
  .describe("the tenant's migrations in the order they must run");

/** The policy every tenant table gets: rows are visible and writable only to a session that declares this tenant. */
export const POLICY_NAME = "factory_tenant";

/** Runs in progress, by target and tenant schema. */
const running = new WeakMap<TenantDatabaseTarget, Map<string, Promise<MigrationRun>>>();

const checksum = (sql: string) => `sha256:${createHash("sha256").update(sql).digest("hex")}`;

/**
 * Runs the tenant's migrations in order, each in its own transaction, as the tenant's owner role logged in
 * for this run only (a one-off password, removed again after), so a migration cannot switch back to the
 * admin. Each runs with `search_path` on the tenant's schema and `app.tenant_id` declared, and before it
 * commits every table in the schema gets forced row-level security and the tenant policy. An id already
 * recorded with the same checksum is skipped; with a different one, the run stops there: applied
 * migrations are never rewritten. A failure rolls that migration back, keeps the earlier ones, and stops.
 */
export function runMigrations(
  target: TenantDatabaseTarget,
  names: TenantNames,
  location: TenantLocation,
  migrations: Migration[],
): Promise<MigrationRun> {
  // One run per tenant at a time in this process: each run sets the owner's one-off password, and a
  // second run's would lock the first out mid-way. (Across processes the advisory lock orders the
  // migrations themselves; a losing login is reported as that migration's failure, and retrying is safe.)
  const runs = running.get(target) ?? new Map<string, Promise<MigrationRun>>();
  running.set(target, runs);
  const previous = runs.get(names.schema) ?? Promise.resolve();
  const next = previous.catch(() => {}).then(() => runAll(target, names, location, migrations));
  runs.set(names.schema, next);
  void next
    .finally(() => {
      if (runs.get(names.schema) === next) runs.delete(names.schema);
    })
    .catch(() => {});
  return next;
}

async function runAll(
  target: TenantDatabaseTarget,
  names: TenantNames,
  location: TenantLocation,
  migrations: Migration[],
): Promise<MigrationRun> {
  const run: MigrationRun = { applied: [], skipped: [], secured: [] };
  const password = randomBytes(32).toString("base64url");
  const owner = names.owner;
  await target.transaction(location.database, (sql) =>
    sql.exec(`alter role ${ident(owner)} with login password ${literal(scramVerifier(password))}`),
  );
  try {
    for (const [index, migration] of migrations.entries()) {
      try {
        const outcome = await target.transactionAs(location.database, { role: owner, password }, (sql) =>
          applyOne(sql, names, migration),
        );
        if (outcome === "skipped") run.skipped.push(migration.id);
        else run.applied.push(migration.id);
      } catch (error) {
        run.failed = { id: migration.id, index, message: messageOf(error) };
        break;
      }
    }
  } finally {
    await target.transaction(location.database, (sql) =>
      sql.exec(`alter role ${ident(owner)} with nologin password null`),
    );
  }
  run.secured = await target.transaction(location.database, (sql) => securedTables(sql, names.schema));
  return run;
}

async function applyOne(
  sql: SqlSession,
  names: TenantNames,
  migration: Migration,
): Promise<"applied" | "skipped"> {
  await sql.query(
    "select set_config('search_path', $1, true), set_config('app.tenant_id', $2, true), pg_advisory_xact_lock(hashtext($1))",
    [names.schema, names.tenant],
  );
  const sum = checksum(migration.sql);
  const [recorded] = await sql.query<{ checksum: string }>(
    `select checksum from ${ident(names.schema)}.schema_migrations where id = $1`,
    [migration.id],
  );
  if (recorded) {
    if (recorded.checksum === sum) return "skipped";
    throw new DatabaseFactoryError(
      "run migrations",
      names.tenant,
      `${migration.id} was applied with different content (${recorded.checksum}); applied migrations are never rewritten, add a new one`,
    );
  }
  await sql.exec(migration.sql);
  await secureTables(sql, names);
  await sql.query(`insert into ${ident(names.schema)}.schema_migrations (id, checksum) values ($1, $2)`, [
    migration.id,
    sum,
  ]);
  return "applied";
}

/**
 * Forces row-level security on every table in the tenant's schema (a migration that turned it off gets it
 * back) and gives each the tenant policy, and DML on it to the application role. Runs as the owner.
 */
async function secureTables(sql: SqlSession, names: TenantNames): Promise<void> {
  const tables = await sql.query<{ name: string; rls: boolean; forced: boolean; policy: boolean }>(
    `select c.relname as name, c.relrowsecurity as rls, c.relforcerowsecurity as forced,
            exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polname = $2) as policy
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'p') and c.relname <> 'schema_migrations'`,
    [names.schema, POLICY_NAME],
  );
  const declared = `nullif(current_setting('app.tenant_id', true), '') = ${literal(names.tenant)}`;
  const statements: string[] = [];
  for (const t of tables) {
    const table = `${ident(names.schema)}.${ident(t.name)}`;
    if (!t.rls) statements.push(`alter table ${table} enable row level security`);
    if (!t.forced) statements.push(`alter table ${table} force row level security`);
    if (!t.policy)
      statements.push(
        `create policy ${POLICY_NAME} on ${table} using (${declared}) with check (${declared})`,
      );
    statements.push(`grant select, insert, update, delete on ${table} to ${ident(names.app)}`);
  }
  statements.push(
    `grant usage, select on all sequences in schema ${ident(names.schema)} to ${ident(names.app)}`,
  );
  await sql.exec(statements.join(";\n"));
}

/** Tables of the schema with row-level security both enabled and forced. */
export async function securedTables(sql: SqlSession, schema: string): Promise<string[]> {
  const rows = await sql.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'p') and c.relrowsecurity and c.relforcerowsecurity
      order by c.relname`,
    [schema],
  );
  return rows.map((r) => r.name);
}
