import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hono } from "hono";
import { type Grants, openGrants } from "../../controller/grants/grants.ts";
import { createApp } from "../../controller/http/app.ts";
import { Intents } from "../../controller/intents/intents.ts";
import type { Ledger } from "../../controller/ledger/ledger.ts";
import { loadPolicies } from "../../controller/policy/policies.ts";
import type { TestDatabase } from "./backends.ts";
import { testLedger } from "./ledger.ts";

export interface TestApp {
  app: Hono;
  ledger: Ledger;
  grants: Grants;
  intents: Intents;
  close(): Promise<void>;
}

/** The controller's HTTP app over a test database, with the shipped policies and keys in a temporary directory. */
export async function testApp(database: TestDatabase): Promise<TestApp> {
  const keysDir = await mkdtemp(join(tmpdir(), "sf-app-"));
  const ledger = testLedger(database);
  const policies = await loadPolicies(join(import.meta.dirname, "../../policies"));
  const grants = await openGrants({ database, ledger, policies, keysDir });
  const intents = new Intents({ db: database.db, ledger, engine: policies.engine });
  return {
    app: createApp({ database, ledger, grants, intents }),
    ledger,
    grants,
    intents,
    async close() {
      await grants.close();
      await rm(keysDir, { recursive: true, force: true });
    },
  };
}
