import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ScenarioResult } from "./run-scenario.ts";
import { type EvalReport, reportOf } from "./run-suites.ts";
import { loadScenario, type Scenario, ScenarioError, SUITES_DIR } from "./scenario.ts";
import { verdict } from "./verdict.ts";

/**
 * A stored report re-graded by the scenarios' graders as they are now, from the evidence each run kept: no
 * world, no model, no replay. A result records the scenario version it ran under, so a grade given by newer
 * graders to an older run is visible as such.
 */
export async function regrade(
  stored: EvalReport,
  root = SUITES_DIR,
): Promise<EvalReport & { regradedAt: string }> {
  // The file it ran from, or (a report from another checkout) the same scenario under this one's suites.
  const files = new Map(
    stored.scenarios.flatMap((s) =>
      s.results.map((r) => [s.id, existsSync(r.file) ? r.file : join(root, `${s.id}.yaml`)] as const),
    ),
  );
  const scenarios: Scenario[] = [];
  const results = new Map<string, ScenarioResult[]>();
  for (const summary of stored.scenarios) {
    const file = files.get(summary.id);
    if (!file) throw new ScenarioError(`${summary.id}: the stored report has no results to re-grade`);
    const scenario = await loadScenario(file, root).catch((error: Error) => {
      throw new ScenarioError(`${summary.id}: its scenario cannot be read any more (${error.message})`);
    });
    scenarios.push(scenario);
    results.set(
      summary.id,
      summary.results.map((r) => ({
        ...r,
        ...verdict(scenario.graders, r.evidence, r.error),
        title: scenario.title,
        version: scenario.version,
        ranUnder: r.ranUnder ?? r.version,
      })),
    );
  }
  return {
    ...reportOf(scenarios, results, {
      started: Date.parse(stored.startedAt),
      trials: stored.trials,
      durationMs: stored.durationMs,
    }),
    regradedAt: new Date().toISOString(),
  };
}
