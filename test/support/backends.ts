import { readFile } from "node:fs/promises";
import postgres from "postgres";
import { inject } from "vitest";
import { type Database, openDatabase } from "../../controller/db/database.ts";

/**
 * Test-only settings. Which backends the database suites run against: `pglite` by default, so the tests
 * need nothing installed; CI adds `postgres` (FACTORY_TEST_BACKENDS=postgres) against TEST_DATABASE_URL.
 */
const testEnv = process.env;
export type Backend = "pglite" | "postgres";
export const backends: Backend[] = (testEnv.FACTORY_TEST_BACKENDS ?? "pglite")
  .split(",")
  .map((b) => b.trim())
  .filter((b): b is Backend => b === "pglite" || b === "postgres");
export const adminUrl = testEnv.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

declare module "vitest" {
  export interface ProvidedContext {
    pgliteSnapshot: string;
    postgresTemplate: string;
  }
}

export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export type TestDatabase = Database & { url?: string; dispose(): Promise<void> };

/**
 * A migrated, empty database of its own: PGlite restored from the run's snapshot, or a PostgreSQL database
 * copied from the run's migrated template.
 */
export async function freshDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === "pglite") {
    const snapshot = new Blob([await readFile(inject("pgliteSnapshot"))]);
    const database = await openDatabase({ kind: "pglite", snapshot });
    return { ...database, dispose: () => database.close() };
  }
  const name = `sf_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name} template ${inject("postgresTemplate")}`);
  const url = withDatabaseName(adminUrl, name);
  const database = await openDatabase({ kind: "postgres", url });
  return {
    ...database,
    url,
    async dispose() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
