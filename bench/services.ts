import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import type { ProviderCredentials } from "../controller/broker/provider-config.ts";
import type { Database } from "../controller/db/database.ts";
import type { LedgerKeys } from "../controller/ledger/keys.ts";
import { Ledger } from "../controller/ledger/ledger.ts";
import { loadPolicies } from "../controller/policy/policies.ts";
import { openServices, type Services } from "../controller/services.ts";

/** The controller's services over a benchmark database, with one fresh tenant; `dispose` removes the keys. */
export async function benchServices(
  database: Database,
  keys: LedgerKeys,
  providerCredentials?: ProviderCredentials,
): Promise<{ services: Services; tenant: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "sf-bench-"));
  const tenant = `b${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  // The shipped policies, with the bench tenant's agents quota lifted so spawning can be measured at volume.
  const policiesDir = join(dir, "policies");
  await cp(join(import.meta.dirname, "../policies"), policiesDir, { recursive: true });
  const quotas = join(policiesDir, "quotas.yaml");
  await writeFile(
    quotas,
    (await readFile(quotas, "utf8")).replace("tenants: {}", `tenants:\n  ${tenant}:\n    agents: 100000000`),
  );
  const policies = await loadPolicies(policiesDir);
  const ledger = new Ledger(database.db, { keys });
  const services = await openServices({
    database,
    ledger,
    policies,
    keysDir: dir,
    ...(providerCredentials ? { providerCredentials } : {}),
  });
  await database.db.execute(sql`insert into tenants (id, display_name) values (${tenant}, 'bench')`);
  return {
    services,
    tenant,
    async dispose() {
      await services.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
