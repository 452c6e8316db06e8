import { fileURLToPath } from "node:url";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { Database } from "./database.ts";

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/** Applies pending migrations as the connecting (owner) role; already-applied ones are skipped. */
export async function migrateDatabase(database: Database): Promise<void> {
  if (database.kind === "pglite") {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder });
  } else {
    // Two processes migrating one server at once would race; a session lock serialises them.
    const lockHolder = await database.client.reserve();
    try {
      await lockHolder`select pg_advisory_lock(7300001)`;
      await migratePostgres(database.db as unknown as PostgresJsDatabase, { migrationsFolder });
    } finally {
      await lockHolder`select pg_advisory_unlock(7300001)`;
      lockHolder.release();
    }
  }
}
