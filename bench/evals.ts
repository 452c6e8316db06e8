import { runSuites } from "../evals/run-suites.ts";
import { loadSuites } from "../evals/scenario.ts";
import { fmt } from "./stats.ts";

interface EvalFigure {
  concurrency: number;
  scenarios: number;
  seconds: number;
  perSecond: number;
  passed: boolean;
}

/**
 * The whole shipped eval set in replay mode, one world at a time and then `concurrency` at once, in this
 * process: scenario runs per second, and the speed-up over one at a time measured in the same run.
 */
export async function benchEvals(concurrencies: number[]): Promise<EvalFigure[]> {
  const scenarios = await loadSuites();
  const figures: EvalFigure[] = [];
  for (const concurrency of concurrencies) {
    const started = performance.now();
    const report = await runSuites(scenarios, { trials: 1, concurrency });
    const seconds = (performance.now() - started) / 1000;
    figures.push({
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
    "worlds at once": f.concurrency,
    scenarios: f.scenarios,
    "whole set (s)": fmt(f.seconds, 1),
    "scenarios/s": fmt(f.perSecond, 2),
    "vs one at a time": `${(f.perSecond / base).toFixed(2)}×`,
    "all passed": f.passed ? "yes" : "NO",
  }));
}
