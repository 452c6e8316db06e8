import { mkdir } from "node:fs/promises";
import { loadProviderCredentials, type ProviderCredentials } from "./broker/provider-config.ts";
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

/** Provider credentials made once the database is open (the embedded sandboxes), with how to stop them. */
export type FallbackProviders = (
  database: Database,
  missing: { github: boolean; azureDevOps: boolean },
) => Promise<{ credentials: ProviderCredentials; close(): Promise<void> }>;

/**
 * Opens the configured database (locking an embedded one to this process), migrates it and loads the keys.
 * A provider with no credentials configured gets them from `fallback`, if given.
 */
export async function openRuntime(config: Config, fallback?: FallbackProviders): Promise<Runtime> {
  const providerCredentials = await loadProviderCredentials(config.providers);
  let unlock = async () => {};
  const { database: where } = config;
  // A snapshot runs in memory: no directory to create or to lock.
  if (where.kind === "pglite" && !where.snapshot) {
    await mkdir(where.dataDir, { recursive: true });
    unlock = await lockDataDir(where.dataDir);
  }
  let database: Database;
  try {
    database = await openDatabase(
      where.kind === "postgres"
        ? where
        : where.snapshot
          ? { kind: "pglite", snapshot: where.snapshot }
          : { kind: "pglite", dataDir: where.dataDir },
    );
  } catch (error) {
    await unlock();
    throw error;
  }
  let services: Services | undefined;
  let closeFallback = async () => {};
  const close = async () => {
    await services?.close();
    await closeFallback();
    await database.close();
    await unlock();
  };
  try {
    await migrateDatabase(database);
    const keys = await loadLedgerKeys(config.keysDir, config.ledger.hmacKey);
    const ledger = new Ledger(database.db, { keys });
    const policies = await loadPolicies(config.policiesDir);
    const missing = { github: !providerCredentials.github, azureDevOps: !providerCredentials.azureDevOps };
    let credentials = providerCredentials;
    if (fallback && (missing.github || missing.azureDevOps)) {
      const extra = await fallback(database, missing);
      closeFallback = extra.close;
      credentials = { ...extra.credentials, ...providerCredentials };
    }
    services = await openServices({
      database,
      ledger,
      policies,
      keysDir: config.keysDir,
      providerCredentials: credentials,
      tenantDatabases: config.tenantDatabases,
    });
    return { ...services, config, close };
  } catch (error) {
    await close();
    throw error;
  }
}
