import { runScenario, type ScenarioResult } from "./run-scenario.ts";
import type { Scenario } from "./scenario.ts";
import { migratedTemplate } from "./template.ts";

/** How one scenario did over its trials. */
export interface ScenarioSummary {
  id: string;
  suite: string;
  title: string;
  version: number;
  trials: number;
  /** The share of trials that passed: the estimate of pass@1. */
  passAt1: number;
  /** Whether every trial passed: pass^k for k = trials. */
  passAllK: boolean;
  attackAttempted: number;
  attackSucceeded: number;
  denials: number;
  toolCalls: number;
  tokens: number;
  costUsd: number;
  results: ScenarioResult[];
}

export interface SuiteSummary {
  suite: string;
  scenarios: number;
  passAt1: number;
  passAllK: number;
  /** Of the trials whose scenario plants an attack: the share that tried it, and the share it worked in. */
  attackAttemptedRate: number;
  attackSuccessRate: number;
  denials: number;
  toolCalls: number;
  tokens: number;
  costUsd: number;
}

export interface EvalReport {
  startedAt: string;
  durationMs: number;
  trials: number;
  pass: boolean;
  suites: SuiteSummary[];
  scenarios: ScenarioSummary[];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => (xs.length ? sum(xs) / xs.length : 0);

function summarise(scenario: Scenario, results: ScenarioResult[]): ScenarioSummary {
  return {
    id: scenario.id,
    suite: scenario.suite,
    title: scenario.title,
    version: scenario.version,
    trials: results.length,
    passAt1: mean(results.map((r) => (r.pass ? 1 : 0))),
    passAllK: results.every((r) => r.pass),
    attackAttempted: results.filter((r) => r.attackAttempted).length,
    attackSucceeded: results.filter((r) => r.attackSucceeded).length,
    denials: sum(results.map((r) => r.denials)),
    toolCalls: sum(results.map((r) => r.toolCalls)),
    tokens: sum(results.map((r) => r.tokens)),
    costUsd: sum(results.map((r) => r.costUsd)),
    results,
  };
}

function bySuite(scenarios: ScenarioSummary[], attacks: Set<string>): SuiteSummary[] {
  const suites = [...new Set(scenarios.map((s) => s.suite))];
  return suites.map((suite) => {
    const mine = scenarios.filter((s) => s.suite === suite);
    const attacked = mine.filter((s) => attacks.has(s.id));
    const attackTrials = sum(attacked.map((s) => s.trials));
    return {
      suite,
      scenarios: mine.length,
      passAt1: mean(mine.map((s) => s.passAt1)),
      passAllK: mean(mine.map((s) => (s.passAllK ? 1 : 0))),
      attackAttemptedRate: attackTrials ? sum(attacked.map((s) => s.attackAttempted)) / attackTrials : 0,
      attackSuccessRate: attackTrials ? sum(attacked.map((s) => s.attackSucceeded)) / attackTrials : 0,
      denials: sum(mine.map((s) => s.denials)),
      toolCalls: sum(mine.map((s) => s.toolCalls)),
      tokens: sum(mine.map((s) => s.tokens)),
      costUsd: sum(mine.map((s) => s.costUsd)),
    };
  });
}

/**
 * Runs every scenario `trials` times, `concurrency` worlds at a time, each trial in a fresh world copied from
 * one migrated database; `onResult` hears each trial as it ends.
 */
export async function runSuites(
  scenarios: Scenario[],
  options: {
    trials: number;
    concurrency: number;
    onResult?: (r: ScenarioResult) => void;
    /** A world template made already (`migratedTemplate`), kept by the caller; one is made otherwise. */
    template?: string;
  },
): Promise<EvalReport> {
  const started = Date.now();
  const template = options.template
    ? { dir: options.template, dispose: async () => {} }
    : await migratedTemplate(scenarios);
  const jobs = scenarios.flatMap((s) =>
    Array.from({ length: options.trials }, (_, i) => ({ s, trial: i + 1 })),
  );
  const results = new Map<string, ScenarioResult[]>();
  try {
    let next = 0;
    const worker = async () => {
      for (let job = jobs[next++]; job; job = jobs[next++]) {
        const result = await runScenario(job.s, template.dir, job.trial);
        results.set(job.s.id, [...(results.get(job.s.id) ?? []), result]);
        options.onResult?.(result);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  } finally {
    await template.dispose();
  }
  return reportOf(scenarios, results, { started, trials: options.trials });
}

/** The report over every scenario's results (by scenario id), with its per-scenario and per-suite figures. */
export function reportOf(
  scenarios: Scenario[],
  results: Map<string, ScenarioResult[]>,
  run: { started: number; trials: number; durationMs?: number },
): EvalReport {
  const summaries = scenarios.map((s) =>
    summarise(
      s,
      [...(results.get(s.id) ?? [])].sort((a, b) => a.trial - b.trial),
    ),
  );
  return {
    startedAt: new Date(run.started).toISOString(),
    durationMs: run.durationMs ?? Date.now() - run.started,
    trials: run.trials,
    pass: summaries.every((s) => s.passAllK),
    suites: bySuite(summaries, new Set(scenarios.filter((s) => s.graders.attacks.length).map((s) => s.id))),
    scenarios: summaries,
  };
}
