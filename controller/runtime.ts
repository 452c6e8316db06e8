import { mkdir } from "node:fs/promises";
import { loadProviderCredentials } from "./broker/provider-config.ts";
import type { Config } from "./config.ts";
import { lockDataDir } from "./db/data-dir-lock.ts";
import { type Database, openDatabase } from "./db/database.ts";
import { migrateDatabase } from "./db/migrate.ts";
import { loadLedgerKeys } from "./ledger/keys.ts";
import { Ledger } from "./ledger/ledger.ts";
import { loadPolicies } from "./policy/policies.ts";
import { openServices, type Services } from "./services.ts";

/** The controller's storage, opened and migrated, with its services and the configuration they run under. */
export interface Runtime extends Services {
  config: Config;
}

/** Opens the configured database (locking an embedded one to this process), migrates it and loads the keys. */
export async function openRuntime(config: Config): Promise<Runtime> {
  const providerCredentials = await loadProviderCredentials(config.providers);
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
  let services: Services | undefined;
  const close = async () => {
    await services?.close();
    await database.close();
    await unlock();
  };
  try {
    await migrateDatabase(database);
    const keys = await loadLedgerKeys(config.keysDir, config.ledger.hmacKey);
    const ledger = new Ledger(database.db, { keys });
    const policies = await loadPolicies(config.policiesDir);
    services = await openServices({
      database,
      ledger,
      policies,
      keysDir: config.keysDir,
      providerCredentials,
    });
    return { ...services, config, close };
  } catch (error) {
    await close();
    throw error;
  }
}
