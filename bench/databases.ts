import postgres from "postgres";
import { type Database, openDatabase } from "../controller/db/database.ts";
import { migrateDatabase } from "../controller/db/migrate.ts";

export interface BenchDatabase {
  name: string;
  database: Database;
  /** For PostgreSQL, so a benchmark can open a second connection as another process would. */
  url?: string;
  dispose(): Promise<void>;
}

/** A migrated in-memory PGlite, and a throwaway database on the PostgreSQL server at `adminUrl` when one answers. */
export async function databases(adminUrl: string | undefined): Promise<BenchDatabase[]> {
  const pglite = await openDatabase({ kind: "pglite" });
  await migrateDatabase(pglite);
  const list: BenchDatabase[] = [{ name: "PGlite", database: pglite, dispose: () => pglite.close() }];
  if (!adminUrl) return list;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 3 });
  const name = `sf_bench_${process.pid}`;
  try {
    await admin.unsafe(`create database ${name}`);
  } catch (error) {
    process.stderr.write(`skipping PostgreSQL: ${(error as Error).message}\n`);
    await admin.end();
    return list;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: "postgres", url: url.toString(), maxConnections: 10 });
  await migrateDatabase(database);
  list.push({
    name: "PostgreSQL",
    database,
    url: url.toString(),
    async dispose() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  });
  return list;
}
