import { mkdir } from "node:fs/promises";
import type { Config } from "./config.ts";
import { lockDataDir } from "./db/data-dir-lock.ts";
import { type Database, openDatabase } from "./db/database.ts";
import { migrateDatabase } from "./db/migrate.ts";
import { type Grants, openGrants } from "./grants/grants.ts";
import { Intents } from "./intents/intents.ts";
import { loadLedgerKeys } from "./ledger/keys.ts";
import { Ledger } from "./ledger/ledger.ts";
import { type LoadedPolicies, loadPolicies } from "./policy/policies.ts";

/** The controller's storage, opened and migrated, its ledger, policies and grants. */
export interface Runtime {
  config: Config;
  database: Database;
  ledger: Ledger;
  policies: LoadedPolicies;
  grants: Grants;
  intents: Intents;
  close(): Promise<void>;
}

/** Opens the configured database (locking an embedded one to this process), migrates it and loads the keys. */
export async function openRuntime(config: Config): Promise<Runtime> {
  let unlock = async () => {};
  if (config.database.kind === "pglite") {
    await mkdir(config.database.dataDir, { recursive: true });
    unlock = await lockDataDir(config.database.dataDir);
  }
  let database: Database;
  try {
    database = await openDatabase(
      config.database.kind === "pglite"
        ? { kind: "pglite", dataDir: config.database.dataDir }
        : config.database,
    );
  } catch (error) {
    await unlock();
    throw error;
  }
  let grants: Grants | undefined;
  const close = async () => {
    await grants?.close();
    await database.close();
    await unlock();
  };
  try {
    await migrateDatabase(database);
    const keys = await loadLedgerKeys(config.keysDir, config.ledger.hmacKey);
    const ledger = new Ledger(database.db, { keys });
    const policies = await loadPolicies(config.policiesDir);
    grants = await openGrants({ database, ledger, policies, keysDir: config.keysDir });
    const intents = new Intents({ db: database.db, ledger, engine: policies.engine });
    return { config, database, ledger, policies, grants, intents, close };
  } catch (error) {
    await close();
    throw error;
  }
}
