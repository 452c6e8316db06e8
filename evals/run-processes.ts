import { spawn } from "node:child_process";
import { resolve } from "node:path";
import type { ScenarioResult } from "./run-scenario.ts";
import { type EvalReport, reportOf } from "./run-suites.ts";
import type { Scenario } from "./scenario.ts";
import { migratedTemplate } from "./template.ts";

const FACTORY = resolve(import.meta.dirname, "../bin/factory.js");

/** One shard's scenarios run by a `factory eval run --json` of its own, on a core of its own. */
function runShard(
  ids: string[],
  options: { trials: number; concurrency: number; template: string },
): Promise<EvalReport> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        FACTORY,
        "eval",
        "run",
        ...ids,
        "--json",
        "--trials",
        String(options.trials),
        "--concurrency",
        String(options.concurrency),
        "--template",
        options.template,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => {
      out += c;
    });
    child.stderr.on("data", (c) => {
      err += c;
    });
    child.once("error", fail);
    child.once("exit", (code) => {
      // Exit 1 is a report with failures in it; anything else without a report is the shard failing.
      try {
        done(JSON.parse(out) as EvalReport);
      } catch {
        fail(new Error(`an eval process exited ${code} without a report: ${err.trim().slice(-2000)}`));
      }
    });
  });
}

/** A scenario's rough cost: a lifecycle (founder, applies, a team) takes several times an agent's one task. */
const weight = (s: Scenario) => (s.run.kind === "lifecycle" ? 3 : 1);

/** The scenarios dealt heaviest first, each to the shard with the least work so far. */
function shards(scenarios: Scenario[], count: number): string[][] {
  const out = Array.from({ length: count }, () => ({ ids: [] as string[], work: 0 }));
  for (const s of [...scenarios].sort((a, b) => weight(b) - weight(a))) {
    const lightest = out.reduce((min, shard) => (shard.work < min.work ? shard : min));
    lightest.ids.push(s.id);
    lightest.work += weight(s);
  }
  return out.map((shard) => shard.ids).filter((ids) => ids.length > 0);
}

/**
 * The scenarios split across `processes` processes (Node runs a world's work on one core; more processes use
 * more of them), sharing one world template made here, their reports merged into one.
 */
export async function runInProcesses(
  scenarios: Scenario[],
  options: { processes: number; trials: number; concurrency: number; onResult?: (r: ScenarioResult) => void },
): Promise<EvalReport> {
  const started = Date.now();
  const template = await migratedTemplate(scenarios);
  try {
    const reports = await Promise.all(
      shards(scenarios, options.processes).map((ids) =>
        runShard(ids, { ...options, template: template.dir }),
      ),
    );
    const results = new Map<string, ScenarioResult[]>();
    for (const summary of reports.flatMap((r) => r.scenarios)) {
      results.set(summary.id, summary.results);
      for (const r of summary.results) options.onResult?.(r);
    }
    return reportOf(scenarios, results, { started, trials: options.trials });
  } finally {
    await template.dispose();
  }
}
