import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminUrl, type Backend, backends, withDatabaseName } from "../../test/support/backends.ts";
import { type Database, openDatabase, queryRows } from "./database.ts";
import { migrateDatabase } from "./migrate.ts";

/** A database with nothing in it: a cold in-memory PGlite, or a newly created PostgreSQL database. */
async function emptyDatabase(backend: Backend): Promise<{ database: Database; dispose(): Promise<void> }> {
  if (backend === "pglite") {
    const database = await openDatabase({ kind: "pglite" });
    return { database, dispose: () => database.close() };
  }
  const name = `sf_empty_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const database = await openDatabase({ kind: "postgres", url: withDatabaseName(adminUrl, name) });
  return {
    database,
    async dispose() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

describe.each(backends)("migrations on %s", (backend) => {
  let empty: Awaited<ReturnType<typeof emptyDatabase>>;
  beforeAll(async () => {
    empty = await emptyDatabase(backend);
  });
  afterAll(() => empty.dispose());

  const snapshot = (database: Database) =>
    Promise.all([
      queryRows<{ table_name: string }>(
        database.db,
        sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
      ),
      queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
      queryRows<{ seq: number; hash: string }>(database.db, sql`select seq::int, hash from ledger_head`),
      queryRows<{ tablename: string; rowsecurity: boolean; forced: boolean }>(
        database.db,
        sql`select c.relname as tablename, c.relrowsecurity as rowsecurity, c.relforcerowsecurity as forced
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind = 'r' and c.relrowsecurity order by 1`,
      ),
    ]);

  it("apply cleanly to an empty database and are idempotent", async () => {
    const { database } = empty;
    await migrateDatabase(database);
    const first = await snapshot(database);
    expect(first[0].map((t) => t.table_name)).toEqual([
      "agents",
      "approval_votes",
      "approvals",
      "grant_revocations",
      "grants",
      "intents",
      "ledger_checkpoints",
      "ledger_entries",
      "ledger_head",
      "model_usage",
      "operators",
      "provider_credentials",
      "tenant_revocations",
      "tenant_secrets",
      "tenant_usage",
      "tenants",
    ]);
    expect(first[1]).toEqual([{ n: 18 }]);
    expect(first[2]).toEqual([{ seq: 0, hash: "0".repeat(64) }]);
    expect(first[3]).toEqual(
      [
        "agents",
        "approval_votes",
        "approvals",
        "grants",
        "intents",
        "model_usage",
        "provider_credentials",
        "tenant_secrets",
        "tenant_usage",
      ].map((tablename) => ({
        tablename,
        rowsecurity: true,
        forced: true,
      })),
    );

    await migrateDatabase(database);
    expect(await snapshot(database)).toEqual(first);
  });
});
