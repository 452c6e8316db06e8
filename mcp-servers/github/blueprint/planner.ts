import type { GitHubFactory, GitHubOperationName } from "../factory.ts";

/** One change the plan makes: a factory operation with its input, and what it changes. */
export interface PlanStep {
  tool: GitHubOperationName;
  action: "create" | "update";
  resource: string;
  /** The operation's input; a secret's value is absent (`secretRef` says where apply resolves it from). */
  input: Record<string, unknown>;
  secretRef?: string;
  /** Field → [current, desired]. */
  changes: Record<string, unknown>;
  /** Provider calls the step will make, estimated. */
  calls: number;
  needsApproval: boolean;
}

export type StepDraft = Omit<PlanStep, "needsApproval" | "resource" | "action">;

/** Field → [current, desired] for every desired field that differs from the current state. */
export const differs = (
  current: object | null | undefined,
  desired: Record<string, unknown>,
): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(desired)
      .filter(
        ([k, v]) =>
          v !== undefined &&
          JSON.stringify((current as Record<string, unknown> | null)?.[k]) !== JSON.stringify(v),
      )
      .map(([k, v]) => [k, [(current as Record<string, unknown> | null)?.[k], v]]),
  );

/** Collects a plan: each resource either gets a step or is recorded as already right. */
export class Planner {
  readonly steps: PlanStep[] = [];
  readonly unchanged: string[] = [];

  constructor(
    readonly factory: GitHubFactory,
    readonly needsApproval: (tool: GitHubOperationName, resource: string) => boolean = () => false,
  ) {}

  /** A step for `resource` (create when nothing exists yet, update otherwise), or unchanged when `step` is undefined. */
  settle(resource: string, exists: boolean, step: StepDraft | undefined): void {
    if (!step) {
      this.unchanged.push(resource);
      return;
    }
    this.steps.push({
      ...step,
      resource,
      action: exists ? "update" : "create",
      needsApproval: this.needsApproval(step.tool, resource),
    });
  }

  /** The step when anything differs, else undefined: `settle`'s usual argument. */
  when(changes: Record<string, unknown>, step: Omit<StepDraft, "changes">): StepDraft | undefined {
    return Object.keys(changes).length > 0 ? { ...step, changes } : undefined;
  }
}
