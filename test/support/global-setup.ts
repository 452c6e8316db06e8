import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../controller/db/database.ts";
import { migrateDatabase } from "../../controller/db/migrate.ts";
import { adminUrl, backends, withDatabaseName } from "./backends.ts";

/** Migrates once per run: a PGlite snapshot and/or a PostgreSQL template database the test files copy. */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), "sf-test-"));
  const cleanups: (() => Promise<void>)[] = [() => rm(dir, { recursive: true, force: true })];

  if (backends.includes("pglite")) {
    const database = await openDatabase({ kind: "pglite" });
    await migrateDatabase(database);
    if (database.kind !== "pglite") throw new Error("unreachable");
    const snapshot = await database.client.dumpDataDir("none");
    const path = join(dir, "pglite-migrated.tar");
    await writeFile(path, Buffer.from(await snapshot.arrayBuffer()));
    await database.close();
    project.provide("pgliteSnapshot", path);
  }

  if (backends.includes("postgres")) {
    const template = `sf_template_${process.pid}_${Date.now().toString(36)}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${template}`);
    const database = await openDatabase({ kind: "postgres", url: withDatabaseName(adminUrl, template) });
    await migrateDatabase(database);
    await database.close();
    project.provide("postgresTemplate", template);
    cleanups.push(async () => {
      await admin.unsafe(`drop database if exists ${template} with (force)`);
      await admin.end();
    });
  }

  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
}
