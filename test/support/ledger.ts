import { generateLedgerKeys, type LedgerKeys } from "../../controller/ledger/keys.ts";
import { Ledger } from "../../controller/ledger/ledger.ts";
import type { TestDatabase } from "./backends.ts";

/** A ledger over a test database with fresh keys and a clock that ticks 1 ms per call. */
export function testLedger(database: TestDatabase, keys: LedgerKeys = generateLedgerKeys()): Ledger {
  let t = Date.parse("2026-01-01T00:00:00.000Z");
  return new Ledger(database.db, { keys, clock: () => new Date(t++) });
}

export const event = (i: number, tenant: string | null = "acme") => ({
  tenant,
  actor: `agent-${i % 3}`,
  action: "intent.recorded",
  resource: `github:repository:acme-app-${i}`,
  payload: { i, tool: "repos_create_repository", nested: { list: [1, "two", null, true] } },
});
