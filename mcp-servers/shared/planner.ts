/** A factory as a blueprint sees it: tools called by name, and the HTTP requests it has sent so far. */
export interface BlueprintFactory<T extends string> {
  call(tool: T, input: never): Promise<unknown>;
  readonly requests: number;
}

/** One change a plan makes: a factory operation with its input, and what it changes. */
export interface PlanStep<T extends string = string> {
  tool: T;
  action: "create" | "update";
  resource: string;
  /** The operation's input; secret values are absent (`secretRefs` says where apply resolves them from). */
  input: Record<string, unknown>;
  /** Where in the input apply puts each secret (`["value"]`, `["variables", "DB_PASSWORD", "value"]`), by reference. */
  secretRefs?: { path: string[]; ref: string }[];
  /** Field → [current, desired]. */
  changes: Record<string, unknown>;
  /** Provider calls the step will make, estimated. */
  calls: number;
  needsApproval: boolean;
}

export type StepDraft<T extends string = string> = Omit<PlanStep<T>, "needsApproval" | "resource" | "action">;

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
export class Planner<F, T extends string> {
  readonly steps: PlanStep<T>[] = [];
  readonly unchanged: string[] = [];

  constructor(
    readonly factory: F,
    readonly needsApproval: (tool: T, resource: string) => boolean = () => false,
  ) {}

  /** A step for `resource` (create when nothing exists yet, update otherwise), or unchanged when `step` is undefined. */
  settle(resource: string, exists: boolean, step: StepDraft<T> | undefined): void {
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
  when(changes: Record<string, unknown>, step: Omit<StepDraft<T>, "changes">): StepDraft<T> | undefined {
    return Object.keys(changes).length > 0 ? { ...step, changes } : undefined;
  }
}

/** What a plan of either provider reports. */
export interface Plan<T extends string = string> {
  /** The organisation (GitHub) or project (Azure DevOps) it is for. */
  target: string;
  steps: PlanStep<T>[];
  /** Resources already as the blueprint says. */
  unchanged: string[];
  /** Provider calls made to read the current state. */
  readCalls: number;
  /** Provider calls the steps will make, estimated. */
  writeCalls: number;
}

export interface PlanOptions<T extends string = string> {
  /** Whether policy holds this step for approval (the controller's decision, asked per tool and resource). */
  needsApproval?: (tool: T, resource: string) => boolean;
}

/** Resolves a `secret://` reference to its value at the moment it is needed (through the controller). */
export type SecretResolver = (ref: string) => Promise<string>;

export interface ApplyOptions<T extends string = string> extends PlanOptions<T> {
  secrets: SecretResolver;
  /** Whether a step that needs approval has it; steps without are left waiting. */
  approved?: (step: PlanStep<T>) => boolean;
  /** Called before each step runs: progress for long applies. */
  onStep?: (step: PlanStep<T>, index: number, total: number) => void;
}

export interface ApplyResult<T extends string = string> {
  plan: Plan<T>;
  applied: PlanStep<T>[];
  waiting: PlanStep<T>[];
  /** Provider calls the apply made, reads included. */
  calls: number;
}

/** Counts the HTTP requests a factory sends while `work` runs (one plan or apply at a time per factory). */
export async function countingCalls<R>(
  factory: { readonly requests: number },
  work: () => Promise<R>,
): Promise<{ result: R; calls: number }> {
  const before = factory.requests;
  const result = await work();
  return { result, calls: factory.requests - before };
}

/** Runs the planner's reads and packages the plan with what it cost. */
export async function finishPlan<F extends { readonly requests: number }, T extends string>(
  planner: Planner<F, T>,
  target: string,
  read: () => Promise<void>,
): Promise<Plan<T>> {
  const { calls: readCalls } = await countingCalls(planner.factory, read);
  return {
    target,
    steps: planner.steps,
    unchanged: planner.unchanged,
    readCalls,
    writeCalls: planner.steps.reduce((n, s) => n + s.calls, 0),
  };
}

/**
 * Makes the provider match a blueprint: plans against the current state, then runs each change in order.
 * Idempotent (a second apply finds nothing to do) and resumable: after a failure half-way, the next apply
 * plans from what exists and does only what is left, so nothing is created twice.
 */
export async function applyPlan<T extends string>(
  factory: BlueprintFactory<T>,
  plan: () => Promise<Plan<T>>,
  options: ApplyOptions<T>,
): Promise<ApplyResult<T>> {
  const applied: PlanStep<T>[] = [];
  const waiting: PlanStep<T>[] = [];
  const { result: planned, calls } = await countingCalls(factory, async () => {
    const planned = await plan();
    for (const [index, step] of planned.steps.entries()) {
      if (step.needsApproval && !options.approved?.(step)) {
        waiting.push(step);
        continue;
      }
      options.onStep?.(step, index, planned.steps.length);
      const input = await withSecrets(step, options.secrets);
      await factory.call(step.tool, input as never);
      applied.push(step);
    }
    return planned;
  });
  return { plan: planned, applied, waiting, calls };
}

/** The step's input with each referenced secret resolved into place, on a copy (the plan never holds values). */
async function withSecrets(step: PlanStep, secrets: SecretResolver): Promise<Record<string, unknown>> {
  if (!step.secretRefs) return step.input;
  const input = structuredClone(step.input);
  for (const { path, ref } of step.secretRefs) {
    const keys = [...path];
    const last = keys.pop() as string;
    let at = input;
    for (const key of keys) {
      at[key] ??= {};
      at = at[key] as Record<string, unknown>;
    }
    at[last] = await secrets(ref);
  }
  return input;
}
