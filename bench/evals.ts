import { runInProcesses } from "../evals/run-processes.ts";
import { runSuites } from "../evals/run-suites.ts";
import { loadSuites } from "../evals/scenario.ts";
import { fmt } from "./stats.ts";

interface EvalFigure {
  processes: number;
  concurrency: number;
  scenarios: number;
  seconds: number;
  perSecond: number;
  passed: boolean;
}

/**
 * The whole shipped eval set in replay mode: one world at a time in one process (one core), then more
 * worlds at once and more processes (cores). Scenario runs per second, and the speed-up over the first, all
 * measured in the same run; every figure includes making the run's world template (one, shared by its processes).
 */
export async function benchEvals(
  shapes: { processes: number; concurrency: number }[],
): Promise<EvalFigure[]> {
  const scenarios = await loadSuites();
  const figures: EvalFigure[] = [];
  for (const { processes, concurrency } of shapes) {
    const started = performance.now();
    const report =
      processes > 1
        ? await runInProcesses(scenarios, { processes, trials: 1, concurrency })
        : await runSuites(scenarios, { trials: 1, concurrency });
    const seconds = (performance.now() - started) / 1000;
    figures.push({
      processes,
      concurrency,
      scenarios: scenarios.length,
      seconds,
      perSecond: scenarios.length / seconds,
      passed: report.pass,
    });
  }
  return figures;
}

export function formatEvals(figures: EvalFigure[]): Record<string, string | number>[] {
  const base = figures[0]?.perSecond ?? 1;
  return figures.map((f) => ({
    processes: f.processes,
    "worlds at once (each)": f.concurrency,
    scenarios: f.scenarios,
    "whole set (s)": fmt(f.seconds, 1),
    "scenarios/s": fmt(f.perSecond, 2),
    "vs one at a time": `${(f.perSecond / base).toFixed(2)}×`,
    "all passed": f.passed ? "yes" : "NO",
  }));
}
