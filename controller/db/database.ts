import { PGlite } from "@electric-sql/pglite";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema.ts";

/** The drizzle handle the rest of the controller uses, identical for both backends. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle as passed to `db.transaction` callbacks. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type Database =
  | { kind: "pglite"; db: Db; client: PGlite; close(): Promise<void> }
  | { kind: "postgres"; db: Db; client: postgres.Sql; close(): Promise<void> };

export type OpenOptions =
  /** Embedded PGlite; no `dataDir` means in memory. `snapshot` restores a `dumpDataDir()` tarball. */
  | { kind: "pglite"; dataDir?: string; snapshot?: Blob }
  | { kind: "postgres"; url: string; maxConnections?: number };

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.kind === "pglite") {
    const client = new PGlite({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.snapshot ? { loadDataDir: options.snapshot } : {}),
    });
    await client.waitReady;
    return wrapPglite(client);
  }
  const client = postgres(options.url, { max: options.maxConnections ?? 10, onnotice: () => {} });
  return wrapPostgres(client);
}

export function wrapPglite(client: PGlite): Database {
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return { kind: "pglite", db, client, close: () => client.close() };
}

export function wrapPostgres(client: postgres.Sql): Database {
  const db = drizzlePostgres({ client, schema }) as unknown as Db;
  return { kind: "postgres", db, client, close: () => client.end({ timeout: 5 }) };
}

/** Rows of a raw SQL query: postgres.js returns an array, PGlite an object with `rows`. */
export async function queryRows<T>(runner: Pick<Db, "execute">, query: SQL): Promise<T[]> {
  const result: unknown = await runner.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
