import { mkdir } from "node:fs/promises";
import type { Config } from "./config.ts";
import { type Database, openDatabase } from "./db/database.ts";
import { migrateDatabase } from "./db/migrate.ts";
import { loadLedgerKeys } from "./ledger/keys.ts";
import { Ledger } from "./ledger/ledger.ts";

/** The controller's storage, opened and migrated, and its ledger. */
export interface Runtime {
  config: Config;
  database: Database;
  ledger: Ledger;
  close(): Promise<void>;
}

export async function openRuntime(config: Config): Promise<Runtime> {
  if (config.database.kind === "pglite") await mkdir(config.database.dataDir, { recursive: true });
  const database = await openDatabase(
    config.database.kind === "pglite"
      ? { kind: "pglite", dataDir: config.database.dataDir }
      : config.database,
  );
  try {
    await migrateDatabase(database);
    const keys = await loadLedgerKeys(config.keysDir, config.ledger.hmacKey);
    return { config, database, ledger: new Ledger(database.db, { keys }), close: () => database.close() };
  } catch (error) {
    await database.close();
    throw error;
  }
}
