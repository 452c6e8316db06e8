import { ApprovalFeed } from "./approvals/approval-feed.ts";
import { Approvals } from "./approvals/approvals.ts";
import { CredentialBroker } from "./broker/broker.ts";
import type { TenantDatabases } from "./broker/database-broker.ts";
import type { ProviderCredentials } from "./broker/provider-config.ts";
import { providerBrokers } from "./broker/providers.ts";
import type { Database } from "./db/database.ts";
import { type Grants, openGrants } from "./grants/grants.ts";
import { Intents } from "./intents/intents.ts";
import type { Ledger } from "./ledger/ledger.ts";
import type { LoadedPolicies } from "./policy/policies.ts";
import { SecretVault } from "./secrets/vault.ts";
import { loadVaultKey } from "./secrets/vault-key.ts";
import { ModelBudgets } from "./usage/budgets.ts";

/** The controller's deciding parts over one database and ledger: grants, intents, approvals and model budgets. */
export interface Services {
  database: Database;
  ledger: Ledger;
  policies: LoadedPolicies;
  grants: Grants;
  intents: Intents;
  approvals: Approvals;
  approvalFeed: ApprovalFeed;
  broker: CredentialBroker;
  /** Model allowlists, budgets and recorded usage under `models.yaml`. */
  budgets: ModelBudgets;
  /** The clock the services share (tests move it). */
  clock: () => Date;
  vault: SecretVault;
  close(): Promise<void>;
}

/** Wires the services together; the running controller and the test harness build them the same way. */
export async function openServices(deps: {
  database: Database;
  ledger: Ledger;
  policies: LoadedPolicies;
  keysDir: string;
  /** Long-lived provider credentials the broker narrows per grant; none configured hands out none. */
  providerCredentials?: ProviderCredentials;
  /** Where the Database factory provisions tenants' databases; none configured hands out no database credential. */
  tenantDatabases?: TenantDatabases;
  clock?: () => Date;
}): Promise<Services> {
  const { database, ledger, policies } = deps;
  const clock = deps.clock ? { clock: deps.clock } : {};
  const vault = new SecretVault({
    db: database.db,
    ledger,
    key: await loadVaultKey(deps.keysDir),
    ...clock,
  });
  const grants = await openGrants({ database, ledger, policies, keysDir: deps.keysDir });
  let approvalFeed: ApprovalFeed;
  try {
    approvalFeed = await ApprovalFeed.follow(database);
  } catch (error) {
    await grants.close();
    throw error;
  }
  const approvals = new Approvals({
    db: database.db,
    ledger,
    expireAfterMinutes: policies.sources.limits.approvals.expire_after_minutes,
    ...clock,
  });
  const intents = new Intents({ db: database.db, ledger, engine: policies.engine, approvals, ...clock });
  const broker = new CredentialBroker({
    db: database.db,
    ledger,
    revocations: grants.revocations,
    providers: providerBrokers(
      deps.providerCredentials ?? {},
      deps.tenantDatabases
        ? { target: deps.tenantDatabases, policy: () => policies.sources.databases }
        : undefined,
    ),
    onError: (error) => console.error("credential broker:", error),
    ...clock,
  });
  const budgets = new ModelBudgets({
    db: database.db,
    ledger,
    models: policies.sources.models,
    ...clock,
  });
  return {
    database,
    ledger,
    policies,
    grants,
    intents,
    approvals,
    approvalFeed,
    broker,
    budgets,
    clock: deps.clock ?? (() => new Date()),
    vault,
    async close() {
      await broker.close();
      await approvalFeed.stop();
      await grants.close();
    },
  };
}
