import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TenantDatabases } from "../../controller/broker/database-broker.ts";
import type { ProviderCredentials } from "../../controller/broker/provider-config.ts";
import { type AppOptions, createApp } from "../../controller/http/app.ts";
import { loadPolicies } from "../../controller/policy/policies.ts";
import { openServices, type Services } from "../../controller/services.ts";
import type { TestDatabase } from "./backends.ts";
import { testLedger } from "./ledger.ts";

export interface TestApp extends Services {
  app: ReturnType<typeof createApp>;
}

export interface TestAppOptions {
  clock?: () => Date;
  app?: AppOptions;
  /** Edits to the shipped policies, by file path relative to `policies/`. */
  policyEdits?: Record<string, (text: string) => string>;
  providerCredentials?: ProviderCredentials;
  tenantDatabases?: TenantDatabases;
}

const shippedPolicies = join(import.meta.dirname, "../../policies");

/** The controller's services and HTTP app over a test database, with the shipped policies and keys in a temporary directory. */
export async function testApp(database: TestDatabase, options: TestAppOptions = {}): Promise<TestApp> {
  const dir = await mkdtemp(join(tmpdir(), "sf-app-"));
  const policiesDir = join(dir, "policies");
  await cp(shippedPolicies, policiesDir, { recursive: true });
  for (const [file, edit] of Object.entries(options.policyEdits ?? {})) {
    const path = join(policiesDir, file);
    await writeFile(path, edit(await readFile(path, "utf8")));
  }
  const ledger = testLedger(database);
  const policies = await loadPolicies(policiesDir);
  const services = await openServices({
    database,
    ledger,
    policies,
    keysDir: join(dir, "keys"),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.providerCredentials ? { providerCredentials: options.providerCredentials } : {}),
    ...(options.tenantDatabases ? { tenantDatabases: options.tenantDatabases } : {}),
  });
  return {
    ...services,
    app: createApp(services, options.app),
    async close() {
      await services.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
