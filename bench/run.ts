/**
 * Prints the controller's benchmark figures (nothing is asserted):
 *   npm run bench                  full sizes
 *   npm run bench -- --quick       small sizes, a smoke run
 *   npm run bench -- --only ado    only the sections whose names contain "ado" (decide, ledger, gate,
 *                                  mcp, grants, kill, github, ado, agents, evals)
 * PostgreSQL figures need a server: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 */

import { generateLedgerKeys } from "../controller/ledger/keys.ts";
import { benchAdoOnboarding, formatAdoOnboarding } from "./ado-onboarding.ts";
import { benchAgents, formatSteps, formatTenants } from "./agents.ts";
import { databases } from "./databases.ts";
import { benchDecide, formatDecide } from "./decide.ts";
import { benchEvals, formatEvals } from "./evals.ts";
import { benchGate, formatGate } from "./gate.ts";
import { benchBlueprint, formatBlueprint } from "./github-blueprint.ts";
import { benchGrantThroughput, formatThroughput } from "./grant-throughput.ts";
import { benchKillSwitch, formatKill } from "./kill-switch.ts";
import { benchLedgerAppend, formatAppend } from "./ledger-append.ts";
import { benchLedgerVerify, formatVerify } from "./ledger-verify.ts";
import { benchMcpGate, formatMcpGate } from "./mcp-gate.ts";
import { table } from "./stats.ts";

const quick = process.argv.includes("--quick");
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt > 0 ? (process.argv[onlyAt + 1] ?? "") : "";
const wanted = (section: string) => section.includes(only);
const benchEnv = process.env;
const adminUrl = benchEnv.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const out = (text: string) => process.stdout.write(`${text}\n`);

out(`startup-factory benchmarks (${quick ? "quick" : "full"}) on Node ${process.version}`);

if (wanted("decide")) out(table("decide() latency", formatDecide(await benchDecide(quick ? 2_000 : 50_000))));

// The eval set builds its own worlds on the embedded database: no server needed.
if (wanted("evals") && !quick)
  out(
    table(
      "the shipped eval set in replay mode (a fresh world per scenario)",
      formatEvals(
        await benchEvals([
          { processes: 1, concurrency: 1 },
          { processes: 1, concurrency: 2 },
          { processes: 2, concurrency: 1 },
          { processes: 2, concurrency: 2 },
        ]),
      ),
    ),
  );

const keys = generateLedgerKeys();
const backends = await databases(adminUrl);
try {
  if (wanted("ledger")) {
    const verify = await benchLedgerVerify(quick ? 2_000 : 100_000, backends, keys);
    const mb = verify.megabytes.toFixed(1);
    out(
      table(
        `verifying ${verify.entries.toLocaleString()} entries (${mb} MB canonical JSON)`,
        formatVerify(verify),
      ),
    );

    const rows = [];
    for (const { name, database } of backends)
      rows.push(...(await benchLedgerAppend(database, name, quick ? 20 : 400, keys)));
    out(table("ledger append throughput vs plain INSERT of the same rows", formatAppend(rows)));
  }

  if (wanted("gate")) {
    const gates = [];
    for (const { name, database } of backends)
      gates.push(await benchGate(database, name, keys, quick ? 500 : 20_000));
    out(table("gate overhead per tool call, in process, vs the same call bare", formatGate(gates)));
  }

  if (wanted("mcp")) {
    const rows = [];
    const sizes = quick
      ? { reads: 30, writes: 15, clients: 20, each: 2 }
      : { reads: 500, writes: 200, clients: 100, each: 10 };
    for (const { name, database } of backends)
      rows.push(...(await benchMcpGate(database, name, keys, sizes)));
    out(
      table(
        "MCP tool calls through the gate (verify, decide, intent + outcome for writes, brokered credential) vs the factory called directly",
        formatMcpGate(rows),
      ),
    );
  }

  if (wanted("grants")) {
    const throughput = [];
    for (const { name, database } of backends)
      throughput.push(...(await benchGrantThroughput(database, name, keys, quick ? 50 : 1_000)));
    out(table("grant mint and exchange throughput vs plain ledger appends", formatThroughput(throughput)));
  }

  if (wanted("kill")) {
    const kills = [];
    for (const { name, database, url } of backends)
      kills.push(await benchKillSwitch(database, name, keys, quick ? 500 : 10_000, url));
    out(
      table(
        "kill switch: revoke a tenant's live grants until another connection's verifier denies",
        formatKill(kills),
      ),
    );
  }

  if (wanted("github")) {
    const blueprints = [];
    for (const { name, database } of backends)
      blueprints.push(...(await benchBlueprint(database, name, quick ? [2, 5] : [10, 50, 200])));
    out(
      table(
        "GitHub blueprint apply against the sandbox (files, protection, a secret and a variable per repository; two teams)",
        formatBlueprint(blueprints),
      ),
    );
  }

  if (wanted("ado")) {
    const onboardings = [];
    for (const { name, database } of backends)
      onboardings.push(
        ...(await benchAdoOnboarding(
          database,
          name,
          quick ? [2, 4] : [10, 50, 200],
          quick ? [1, 2] : [1, 2, 4, 8, 16],
        )),
      );
    out(
      table(
        "Azure DevOps onboarding against the sandbox (project, 2 repos + pipelines + first runs, 4 personas, queue, variable group, backlog)",
        formatAdoOnboarding(onboardings),
      ),
    );
  }
  if (wanted("agents")) {
    const steps = [];
    const lifecycles = [];
    for (const backend of backends) {
      // 30 steps stay within the dev persona's daily token budget: each step meters its whole prompt.
      const figures = await benchAgents(
        backend,
        quick ? { steps: 10, tenants: 2 } : { steps: 30, tenants: 8 },
      );
      steps.push(...figures.steps);
      lifecycles.push(...figures.tenants);
    }
    out(table("agent step overhead with a zero-latency scripted model (p50 per step)", formatSteps(steps)));
    out(
      table(
        "lifecycles through the run queue (Azure DevOps blueprint approved and applied, finance spawned)",
        formatTenants(lifecycles),
      ),
    );
  }
} finally {
  for (const backend of backends) await backend.dispose();
}
