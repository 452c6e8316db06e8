/**
 * Prints the foundation's benchmark figures (nothing is asserted):
 *   npm run bench                  full sizes
 *   npm run bench -- --quick       small sizes, a smoke run
 * PostgreSQL figures need a server: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 */

import { benchDecide, formatDecide } from "./decide.ts";
import { appendBackends, benchLedgerAppend, formatAppend } from "./ledger-append.ts";
import { benchLedgerVerify, formatVerify } from "./ledger-verify.ts";
import { table } from "./stats.ts";

const quick = process.argv.includes("--quick");
const benchEnv = process.env;
const adminUrl = benchEnv.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const out = (text: string) => process.stdout.write(`${text}\n`);

out(`startup-factory benchmarks (${quick ? "quick" : "full"}) on Node ${process.version}`);

const decide = await benchDecide(quick ? 2_000 : 50_000);
out(table("decide() latency", formatDecide(decide)));

const verify = await benchLedgerVerify(quick ? 2_000 : 100_000);
out(
  table(
    `verifying ${verify.entries.toLocaleString()} entries (${verify.megabytes.toFixed(1)} MB canonical JSON)`,
    formatVerify(verify),
  ),
);

const rows = [];
for (const backend of await appendBackends(adminUrl)) {
  try {
    rows.push(...(await benchLedgerAppend(backend.database, backend.name, quick ? 20 : 400)));
  } finally {
    await backend.dispose();
  }
}
out(table("ledger append throughput vs plain INSERT of the same rows", formatAppend(rows)));
