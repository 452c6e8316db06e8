import { assertOwnThread, type RunJob, type RunQueue } from "../agents/run-queue.ts";
import type { PendingApproval } from "./middleware/governed-tools.ts";
import { type LifecycleRunner, releaseRun, stepLifecycle } from "./run-lifecycle.ts";

export interface RunWorkerOptions {
  queue: RunQueue;
  runner: LifecycleRunner;
  /** Whether every approval a run waits on has been decided (approved or not). */
  approvalsDecided(approvals: PendingApproval[]): Promise<boolean>;
  /** How long a waiting run rests before a worker looks at its approvals again. */
  recheckSeconds?: number;
  /** Hears how each step ended, a line a step. */
  log?(line: string): void;
}

/**
 * Serves lifecycle runs from the queue, `concurrency` at a time: each job is one step (start, resume, or a look
 * at pending approvals), taken from the run's checkpoint by whichever worker is free, with grants minted for
 * the job's own tenant only. Any worker may take a run's next step: the run's agents are renewed, not
 * replaced, so the approvals they wait on still answer them.
 */
export async function serveRuns(options: RunWorkerOptions, concurrency: number): Promise<void> {
  const { queue, runner } = options;
  const recheck = options.recheckSeconds ?? 2;
  await queue.work(concurrency, async (job: RunJob) => {
    assertOwnThread(job);
    const run = { tenant: job.tenant, thread: job.thread };
    const record = (status: Parameters<RunQueue["record"]>[0]["status"], detail: unknown) =>
      queue.record({ id: job.runId, tenant: job.tenant, status, detail });
    try {
      let input: { start: never } | { resume: unknown };
      if (job.step === "check") {
        const approvals =
          ((await queue.get(job.runId))?.detail as { approvals?: PendingApproval[] })?.approvals ?? [];
        if (!(await options.approvalsDecided(approvals))) {
          await queue.enqueue(job, recheck);
          return;
        }
        input = { resume: { decided: true } };
      } else input = job.step === "start" ? { start: job.input as never } : { resume: job.input };
      await record("running", null);
      const outcome = await stepLifecycle(runner, run, input);
      options.log?.(`run ${job.runId} (${job.tenant}): ${outcome.status}`);
      if (outcome.status === "done")
        await record("done", {
          summary: outcome.state.summary,
          applies: outcome.state.applies,
          team: outcome.state.team,
        });
      else if (outcome.status === "waiting") {
        await record("waiting", { approvals: outcome.approvals });
        await queue.enqueue({ ...job, step: "check", input: undefined }, recheck);
      } else await record("asking", { question: outcome.question });
    } catch (error) {
      options.log?.(
        `run ${job.runId} (${job.tenant}): failed: ${error instanceof Error ? error.message : error}`,
      );
      await record(error instanceof Error && error.name === "AgentStopped" ? "stopped" : "failed", {
        error: error instanceof Error ? error.message : String(error),
      });
      await releaseRun(job.thread);
    }
  });
}
