import type { GitHubFactory, GitHubOperationName, InputOf } from "../factory.ts";
import { countingCalls, type Plan, type PlanOptions, type PlanStep, plan } from "./plan.ts";

/** Resolves a `secret://` reference to its value at the moment it is needed (through the controller). */
export type SecretResolver = (ref: string) => Promise<string>;

export interface ApplyOptions extends PlanOptions {
  secrets: SecretResolver;
  /** Whether a step that needs approval has it; steps without are left waiting. */
  approved?: (step: PlanStep) => boolean;
  /** Called before each step runs: progress for long applies. */
  onStep?: (step: PlanStep, index: number, total: number) => void;
}

export interface ApplyResult {
  plan: Plan;
  applied: PlanStep[];
  waiting: PlanStep[];
  /** Provider calls the apply made, reads included. */
  calls: number;
}

/**
 * Makes the organisation match the blueprint: plans against the current state, then runs each change in
 * order. It is idempotent (a second apply finds nothing to do) and resumable: after a failure half-way, the
 * next apply plans from what exists and does only what is left, so nothing is created twice.
 */
export async function apply(
  factory: GitHubFactory,
  blueprint: unknown,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const applied: PlanStep[] = [];
  const waiting: PlanStep[] = [];
  const { result: planned, calls } = await countingCalls(factory, async () => {
    const planned = await plan(factory, blueprint, options);
    for (const [index, step] of planned.steps.entries()) {
      if (step.needsApproval && !options.approved?.(step)) {
        waiting.push(step);
        continue;
      }
      options.onStep?.(step, index, planned.steps.length);
      const input = step.secretRef
        ? { ...step.input, value: await options.secrets(step.secretRef) }
        : step.input;
      await factory.call(step.tool, input as InputOf<GitHubOperationName>);
      applied.push(step);
    }
    return planned;
  });
  return { plan: planned, applied, waiting, calls };
}
