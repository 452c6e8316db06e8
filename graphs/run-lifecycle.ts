import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { Command } from "@langchain/langgraph";
import { type AgentRuntime, type EquippedAgent, equipAgent } from "../agents/equip.ts";
import type { PersonaName } from "../agents/personas.ts";
import type { RunIdentities } from "../agents/run-identities.ts";
import type { ScanningPolicy } from "../agents/scan/policy.ts";
import type { ClaimSpawned } from "../agents/spawn-claim.ts";
import type { LifecycleEvent, PersonaModel } from "./lifecycle/deps.ts";
import { lifecycleGraph } from "./lifecycle/lifecycle.ts";
import type { InputInterrupt } from "./lifecycle/nodes/intake.ts";
import { releaseTeam } from "./lifecycle/nodes/team.ts";
import type { LifecycleState } from "./lifecycle/state.ts";
import type { ApprovalInterrupt, PendingApproval } from "./middleware/governed-tools.ts";

/** What runs lifecycles in this process. */
export interface LifecycleRunner {
  runtime: AgentRuntime;
  /**
   * Mints a founder's root grant on the AI server for `tenant` (an operator's act, on the person's behalf):
   * a new founder, or a fresh grant for `agentId`, the run's founder until now.
   */
  mintFounder(tenant: string, agentId?: string): Promise<string>;
  /** Which agents play the run's parts, for whichever process resumes it. */
  identities: RunIdentities;
  /** How the founder collects the children it spawns. */
  claimFor(founder: EquippedAgent): ClaimSpawned;
  modelFor(persona: PersonaName): PersonaModel | undefined;
  scanning: ScanningPolicy;
  checkpointer: BaseCheckpointSaver;
  onEvent?(event: LifecycleEvent): void;
}

/** Where a run stands after a step: through, or waiting for approvers or for the person. */
export type RunOutcome =
  | { status: "done"; state: LifecycleState }
  | { status: "waiting"; approvals: PendingApproval[]; state: LifecycleState }
  | { status: "asking"; question: string; state: LifecycleState };

const founders = new Map<string, EquippedAgent>();

/**
 * The run's founder: in this process while its grant lives; otherwise the same agent (the one its approvals
 * answer) with a fresh grant, or a new founder for a new run.
 */
async function founderFor(runner: LifecycleRunner, tenant: string, thread: string): Promise<EquippedAgent> {
  const known = founders.get(thread);
  if (known) {
    const alive = await runner.runtime.controller.introspect(known.grants.ai as string).then(
      (g) => g.exp * 1000 - Date.now() > 120_000,
      () => false,
    );
    if (alive) return known;
    await known.toolbox.close();
    founders.delete(thread);
  }
  const agentId = await runner.identities.get(thread, "founder");
  const founder = await equipAgent(runner.runtime, {
    server: "ai",
    token: await runner.mintFounder(tenant, agentId),
  });
  if (!agentId) await runner.identities.remember(thread, "founder", founder.agentId);
  founders.set(thread, founder);
  return founder;
}

/** Closes the connections a run's founder and team hold in this process. */
export async function releaseRun(thread: string): Promise<void> {
  await releaseTeam(thread);
  await founders.get(thread)?.toolbox.close();
  founders.delete(thread);
}

async function graphFor(runner: LifecycleRunner, run: { tenant: string; thread: string }) {
  const founder = await founderFor(runner, run.tenant, run.thread);
  return lifecycleGraph(
    {
      runtime: runner.runtime,
      founder,
      claimSpawned: runner.claimFor(founder),
      identities: runner.identities,
      modelFor: runner.modelFor,
      scanning: runner.scanning,
      ...(runner.onEvent ? { onEvent: runner.onEvent } : {}),
    },
    runner.checkpointer,
  );
}

function outcomeOf(state: LifecycleState, interrupts: { value?: unknown }[]): RunOutcome {
  const first = interrupts[0]?.value as ApprovalInterrupt | InputInterrupt | undefined;
  if (!first) return { status: "done", state };
  if (first.type === "approval") return { status: "waiting", approvals: first.approvals, state };
  return { status: "asking", question: first.question, state };
}

/**
 * One step of a lifecycle run: started with its input, or resumed with the answer to what it waits on. The
 * checkpointer holds the run between steps, so any process may take the next one.
 */
export async function stepLifecycle(
  runner: LifecycleRunner,
  run: { tenant: string; thread: string },
  input: { start: Partial<LifecycleState> } | { resume: unknown },
): Promise<RunOutcome> {
  const graph = await graphFor(runner, run);
  const result = await graph.invoke(
    "start" in input ? { tenant: run.tenant, ...input.start } : new Command({ resume: input.resume }),
    { configurable: { thread_id: run.thread } },
  );
  return outcomeOf(
    result as LifecycleState,
    (result as { __interrupt__?: { value: unknown }[] }).__interrupt__ ?? [],
  );
}

/** Where a run stands from its checkpoint, without running it; undefined when the thread has none. */
export async function inspectRun(
  runner: LifecycleRunner,
  run: { tenant: string; thread: string },
): Promise<RunOutcome | undefined> {
  const graph = await graphFor(runner, run);
  const snapshot = await graph.getState({ configurable: { thread_id: run.thread } });
  if (!snapshot.createdAt) return undefined;
  return outcomeOf(
    snapshot.values as LifecycleState,
    snapshot.tasks.flatMap((t) => t.interrupts),
  );
}

/** What drives a run through its interruptions: wait for approvers, ask the person. */
export interface RunDriver {
  approvalsDecided(approvals: PendingApproval[]): Promise<void>;
  answer(question: string): Promise<string>;
}

/** Runs a lifecycle to its end from its start, or from where it stands, waiting on approvers and asking the person. */
export async function driveLifecycle(
  runner: LifecycleRunner,
  run: { tenant: string; thread: string },
  from: { start: Partial<LifecycleState> } | { outcome: RunOutcome },
  driver: RunDriver,
): Promise<LifecycleState> {
  let outcome = "outcome" in from ? from.outcome : await stepLifecycle(runner, run, from);
  while (outcome.status !== "done") outcome = await nextStep(runner, run, outcome, driver);
  return outcome.state;
}

/** The step after one that stopped: once its approvals are decided, or with the person's answer. */
export async function nextStep(
  runner: LifecycleRunner,
  run: { tenant: string; thread: string },
  stopped: Exclude<RunOutcome, { status: "done" }>,
  driver: RunDriver,
): Promise<RunOutcome> {
  if (stopped.status === "waiting") {
    await driver.approvalsDecided(stopped.approvals);
    return stepLifecycle(runner, run, { resume: { decided: true } });
  }
  return stepLifecycle(runner, run, { resume: await driver.answer(stopped.question) });
}
