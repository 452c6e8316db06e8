import type { Database } from "../controller/db/database.ts";
import type { LedgerKeys } from "../controller/ledger/keys.ts";
import { benchServices } from "./services.ts";
import { fmt } from "./stats.ts";

export interface GrantThroughput {
  backend: string;
  operation: string;
  count: number;
  concurrency: number;
  perSecond: number;
  /** The same count of plain ledger appends in the same run: the floor every grant pays (it writes one). */
  ledgerPerSecond: number;
}

async function rate(count: number, concurrency: number, work: (i: number) => Promise<unknown>) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

/**
 * Mint and exchange throughput, sequential and concurrent, against plain ledger appends as the baseline:
 * each grant also registers an agent, writes its grant row and a ledger entry in one transaction.
 */
export async function benchGrantThroughput(
  database: Database,
  name: string,
  keys: LedgerKeys,
  count: number,
): Promise<GrantThroughput[]> {
  const { services, tenant, dispose } = await benchServices(database, keys);
  const { issuer } = services.grants;
  const rows: GrantThroughput[] = [];
  try {
    for (const concurrency of [1, 8]) {
      const ledgerPerSecond = await rate(count, concurrency, (i) =>
        services.ledger.append({
          tenant,
          actor: "bench",
          action: "bench.baseline",
          resource: `bench:${i}`,
          payload: { i },
        }),
      );
      const mint = await rate(count, concurrency, () =>
        issuer.mint({ tenant, persona: "founder", audience: "ai", actor: "bench" }),
      );
      rows.push({ backend: name, operation: "mint", count, concurrency, perSecond: mint, ledgerPerSecond });
      // Each parent spawns within its fan-out limit: one child per parent.
      const parents = await Promise.all(
        Array.from({ length: count }, () =>
          issuer.mint({ tenant, persona: "founder", audience: "ai", actor: "bench" }),
        ),
      );
      const exchange = await rate(count, concurrency, (i) =>
        issuer.exchange({ subjectToken: (parents[i] as { token: string }).token, persona: "dev" }),
      );
      rows.push({
        backend: name,
        operation: "exchange",
        count,
        concurrency,
        perSecond: exchange,
        ledgerPerSecond,
      });
    }
    return rows;
  } finally {
    await dispose();
  }
}

export function formatThroughput(rows: GrantThroughput[]): Record<string, string | number>[] {
  return rows.map((r) => ({
    backend: r.backend,
    operation: r.operation,
    concurrency: r.concurrency,
    grants: fmt(r.count),
    "grants/s": fmt(r.perSecond),
    "ledger appends/s": fmt(r.ledgerPerSecond),
    "× ledger append": fmt(r.perSecond / r.ledgerPerSecond, 2),
  }));
}
