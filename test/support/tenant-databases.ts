import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { tenantNames } from "../../mcp-servers/database/names.ts";
import { PgliteTarget } from "../../mcp-servers/database/pglite-target.ts";
import { PostgresTarget } from "../../mcp-servers/database/postgres-target.ts";
import type { TenantDatabaseTarget } from "../../mcp-servers/database/target.ts";
import { adminUrl, type Backend, withDatabaseName } from "./backends.ts";

/**
 * A tenant id no other test (or parallel run) uses: on a PostgreSQL server roles are cluster-wide, so every
 * test's tenants must be its own.
 */
export const uniqueTenant = (prefix = "t") => `${prefix}${randomBytes(5).toString("hex")}`;

export interface TestTenantDatabases {
  target: TenantDatabaseTarget;
  /** The admin URL of the shared database (postgres) or the PGlite directory. */
  where: string;
  /** Drops everything the given tenants got (databases, schemas, roles) and the shared database itself. */
  dispose(tenants: string[]): Promise<void>;
}

/**
 * A place for tenant databases: a directory of PGlite clusters, or a fresh shared database on the test
 * PostgreSQL server (tenant databases and roles are created beside it and dropped by `dispose`).
 */
export async function testTenantDatabases(backend: Backend): Promise<TestTenantDatabases> {
  if (backend === "pglite") {
    const dir = await mkdtemp(join(tmpdir(), "sf-tenantdb-"));
    const target = new PgliteTarget(dir);
    return {
      target,
      where: dir,
      async dispose() {
        await target.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const shared = `sf_tenants_${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${shared}`);
  const url = withDatabaseName(adminUrl, shared);
  const target = new PostgresTarget(url);
  return {
    target,
    where: url,
    async dispose(tenants) {
      await target.close();
      for (const tenant of tenants) {
        const n = tenantNames(tenant);
        await admin.unsafe(`drop database if exists ${n.database} with (force)`);
      }
      await admin.unsafe(`drop database if exists ${shared} with (force)`);
      for (const tenant of tenants) {
        const n = tenantNames(tenant);
        // Only grants in the admin database remain (CONNECT there is PUBLIC's); drop what they own anywhere left.
        await admin.unsafe(`drop owned by ${n.owner}, ${n.app}`).catch(() => {});
        await admin.unsafe(`drop role if exists ${n.owner}`);
        await admin.unsafe(`drop role if exists ${n.app}`);
      }
      await admin.end();
    },
  };
}
