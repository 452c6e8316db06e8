import { z } from "zod";
import { defineTool, HINTS } from "../shared/tool.ts";
import type { DatabaseFactory } from "./factory.ts";
import { Migrations } from "./migrations.ts";
import { MigrationRun, Provisioned, Rotation, TenantSize, TenantStatus } from "./results.ts";

/** What one call runs with: the factory for the grant's tenant. */
export interface DatabaseContext {
  /** The grant's tenant: the only one its factory reaches. */
  tenant: string;
  factory: DatabaseFactory;
}

/** The tools' names, as the role templates in policies/roles/database.yaml name them. */
export const DATABASE_TOOLS = {
  provision: "database_provision_database",
  migrate: "database_run_migrations",
  rotate: "database_rotate_credentials",
  size: "database_get_size",
  status: "database_get_status",
} as const;

/**
 * Policy decides on the caller's own tenant's database (role templates: `{tenant}`): an agent reaches its
 * own tenant's only, so no argument names it.
 */
const resource = (_input: unknown, grant: { tenant: string }) => ({ kind: "database", name: grant.tenant });

const provision = defineTool({
  name: DATABASE_TOOLS.provision,
  title: "Provision the tenant's database",
  description:
    "Creates the tenant's database target if it is missing: a schema or a whole database (policy decides which), an owner role, and an application role with USAGE and DML only, under row-level security. Safe to call again: it converges and reports what it created (nothing, the second time).",
  toolset: "database",
  hints: HINTS.ensure,
  input: z.object({}),
  output: Provisioned,
  resource,
  run: (context: DatabaseContext) => context.factory.provision(),
});

const migrate = defineTool({
  name: DATABASE_TOOLS.migrate,
  title: "Run the tenant's migrations",
  description:
    "Applies the given SQL migrations in order, each once (recorded by id in schema_migrations) and each in its own transaction, as the tenant's owner role. Every table gets forced row-level security: rows are visible only to sessions that set app.tenant_id to the tenant. A failing migration is rolled back and reported in `failed`; earlier ones stay applied, later ones are not attempted. Do not put BEGIN/COMMIT in the SQL; never edit an applied migration, add a new one.",
  toolset: "database",
  hints: HINTS.update,
  input: z.object({ migrations: Migrations }),
  output: MigrationRun,
  resource,
  run: (context: DatabaseContext, input) => context.factory.runMigrations(input.migrations),
  failure: (run) => (run.failed ? `migration ${run.failed.id} failed: ${run.failed.message}` : undefined),
});

const rotate = defineTool({
  name: DATABASE_TOOLS.rotate,
  title: "Rotate the application role's password",
  description:
    "Sets a new random password on the tenant's application role and stores it in the controller's vault under secret://<tenant>/database/app. Returns the reference and a fingerprint, never the password; the old password stops working at once.",
  toolset: "database",
  hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  input: z.object({}),
  output: Rotation,
  resource,
  run: (context: DatabaseContext) => context.factory.rotateCredentials(),
});

const size = defineTool({
  name: DATABASE_TOOLS.size,
  title: "Get the tenant database's size",
  description:
    "Bytes the tenant's data takes: the whole database (database isolation) or its schema's tables, indexes and TOAST (schema isolation).",
  toolset: "database",
  hints: HINTS.read,
  input: z.object({}),
  output: TenantSize,
  resource,
  run: (context: DatabaseContext) => context.factory.size(),
});

const status = defineTool({
  name: DATABASE_TOOLS.status,
  title: "Get the tenant database's status",
  description:
    "Whether the tenant's database exists and how it is isolated, its roles (login, password set, RLS bypass), the migrations applied, and which tables are under forced row-level security.",
  toolset: "database",
  hints: HINTS.read,
  input: z.object({}),
  output: TenantStatus,
  resource,
  run: (context: DatabaseContext) => context.factory.status(),
});

/** Every Database tool. */
export const databaseTools = [provision, migrate, rotate, size, status] as const;
