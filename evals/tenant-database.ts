import type { Config } from "../controller/config.ts";
import { databaseIsolationOf } from "../controller/policy/model.ts";
import type { Runtime } from "../controller/runtime.ts";
import { DatabaseFactory } from "../mcp-servers/database/factory.ts";
import { PgliteTarget } from "../mcp-servers/database/pglite-target.ts";
import { DatabaseTargets } from "../mcp-servers/database/targets.ts";
import type { Scenario } from "./scenario.ts";

/** The tenant's database as its graders read it. */
export interface DatabaseState {
  exists: boolean;
  migrations: string[];
  /** Tables under forced row-level security, and those without it. */
  secured: string[];
  unsecured: string[];
}

/** Whether a scenario's world seeds its tenant's database or its graders judge it (then its state is read). */
export const readsDatabase = (scenario: Scenario) =>
  Boolean(scenario.world.database || scenario.graders.state?.database);

/**
 * A world's tenant databases: clusters in memory (the shared one from the template's snapshot, when it has
 * one), opened once for the world's whole life. Its Database MCP server reaches them through `targets`,
 * which it does not close, so they outlive an agents' process the scenario kills, as a database server would.
 */
export class WorldDatabases {
  readonly targets: DatabaseTargets;
  readonly #clusters: PgliteTarget;

  constructor(
    config: Config,
    readonly runtime: Runtime,
    shared?: Blob,
  ) {
    if (config.tenantDatabases.kind !== "pglite")
      throw new Error("an eval world's databases are always embedded");
    const clusters = new PgliteTarget(config.tenantDatabases.dir, { memory: shared ? { shared } : {} });
    this.#clusters = clusters;
    this.targets = new DatabaseTargets((endpoint) => {
      if (endpoint !== clusters.endpoint)
        throw new Error(`an eval world has no tenant databases at ${endpoint}`);
      return clusters;
    });
  }

  /** `tenant`'s factory over the world's clusters, as the Database server builds it for a grant. */
  factory(tenant: string): DatabaseFactory {
    return new DatabaseFactory({
      target: this.#clusters,
      tenant,
      isolation: databaseIsolationOf(this.runtime.policies.sources.databases, tenant),
      vault: {
        store: () => Promise.reject(new Error("an eval world's seeding rotates no credentials")),
      },
    });
  }

  /** Provisions the tenant's database and applies the scenario's migrations, as its owner would. */
  async seed(scenario: Scenario): Promise<void> {
    const wanted = scenario.world.database;
    if (!wanted) return;
    const factory = this.factory(scenario.tenant);
    await factory.provision();
    const run = await factory.runMigrations(wanted.migrations);
    if (run.failed)
      throw new Error(`world.database: migration ${run.failed.id} failed: ${run.failed.message}`);
  }

  async state(tenant: string): Promise<DatabaseState> {
    const status = await this.factory(tenant).status();
    return {
      exists: status.exists,
      migrations: status.migrations.map((m) => m.id),
      secured: status.rowLevelSecurity,
      unsecured: status.unsecured,
    };
  }

  close(): Promise<void> {
    return this.#clusters.close();
  }
}
