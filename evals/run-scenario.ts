import { Cassette } from "../agents/cassette.ts";
import { type AgentConfig, loadAgentConfig } from "../agents/config.ts";
import { modelFor } from "../agents/models.ts";
import { loadPersonas, type PersonaName } from "../agents/personas.ts";
import type { TappedCall } from "../agents/tool-tap.ts";
import type { LifecycleEvent } from "../graphs/lifecycle/deps.ts";
import { toolsets } from "../mcp-servers/catalog.ts";
import { runAgent, runLifecycle } from "./drive.ts";
import { callRecord, collectEvidence, type Evidence, unofferedCall } from "./evidence.ts";
import { providerState } from "./provider-state.ts";
import type { Scenario } from "./scenario.ts";
import { Tape, toolDiff } from "./tape.ts";
import { readsDatabase } from "./tenant-database.ts";
import type { TimelineEvent } from "./timeline.ts";
import { type Verdict, verdict } from "./verdict.ts";
import { type EvalWorld, openEvalWorld } from "./world.ts";

export interface ScenarioResult extends Verdict {
  id: string;
  suite: string;
  title: string;
  version: number;
  trial: number;
  /** The run's own failure (left the recording, crashed), when it did not reach its end. */
  error?: string;
  durationMs: number;
  timeline: TimelineEvent[];
  /** What the run left, kept so the run can be re-graded without running it again. */
  evidence?: Evidence;
  /** The scenario file it ran from, to find its graders again. */
  file: string;
  /** Set by a re-grade: the scenario version the run itself ran under. */
  ranUnder?: number;
}

const METERING = new Set(["budgets_check_budget", "usage_record_usage"]);

/**
 * Runs one scenario once in a fresh world: the recorded model turns replayed (failing closed when the run
 * leaves them), every tool call through the real gate and sandboxes, then every grader over what it left.
 */
export async function runScenario(
  scenario: Scenario,
  template: string,
  trial = 1,
  options: {
    /** Record instead of replay: every persona's model live at this endpoint, the run written as a cassette. */
    record?: AgentConfig;
    /**
     * Re-tape: replay, and write the run as a cassette (the replayed turns with this run's tool calls, which
     * replace the recorded ones, so those are not held against it).
     */
    retape?: boolean;
    /** The user's provider variables: the providers they configure are live rather than sandboxes. */
    live?: Record<string, string | undefined>;
  } = {},
): Promise<ScenarioResult & { cassette?: string }> {
  const start = Date.now();
  const recording = Boolean(options.record);
  const stored = scenario.cassettePath ? await Cassette.load(scenario.cassettePath) : undefined;
  // Recording keeps only what the person said first (the session line); the turns are the live model's.
  const cassette = recording ? new Cassette([], stored?.session) : (stored ?? new Cassette([]));
  const config = options.record ?? loadAgentConfig({});
  const tape = new Tape();
  const personas = await loadPersonas(config.personasDir, toolsets());
  const timeline: TimelineEvent[] = [];
  const calls: TappedCall[] = [];
  const onToolCall = (call: TappedCall) => {
    // The meter's own calls around each model turn are cost (counted as tokens), not the trajectory.
    if (call.server === "ai" && METERING.has(call.tool)) return;
    calls.push(call);
    tape.tool(call);
    const record = callRecord(call);
    timeline.push({
      at: Date.now() - start,
      type: "tool",
      persona: call.persona,
      tool: record.tool,
      status: record.status,
      arguments: JSON.stringify(record.arguments).slice(0, 2000),
      text: call.text.slice(0, 2000),
    });
  };
  const onEvent = (e: LifecycleEvent) => {
    if (e.type === "turn") tape.turn(e.persona, e.turn);
    else if (e.type === "tool" && e.status === "refused") onToolCall(unofferedCall(e.persona, e.tool));
    else if (e.type === "said")
      timeline.push({ at: Date.now() - start, type: "message", from: e.persona, text: e.text });
    else if (e.type === "phase") timeline.push({ at: Date.now() - start, type: "phase", phase: e.phase });
  };
  // Which run this is, as every result names it.
  const which = {
    id: scenario.id,
    suite: scenario.suite,
    title: scenario.title,
    version: scenario.version,
    trial,
    file: scenario.file,
  };
  const failed = (message: string): ScenarioResult => ({
    ...which,
    ...verdict(scenario.graders, undefined, message),
    error: message,
    durationMs: Date.now() - start,
    timeline: [...timeline, { at: Date.now() - start, type: "error", message }],
  });
  let world: EvalWorld;
  try {
    world = await openEvalWorld(scenario, template, {
      modelFor: (persona: PersonaName) => {
        const p = personas.get(persona);
        if (!p) return undefined;
        if (recording) return modelFor(p, config);
        return cassette.for(persona).length > 0 ? modelFor(p, config, { cassette, priced: true }) : undefined;
      },
      onEvent,
      onToolCall,
      ...(options.live ? { live: options.live } : {}),
    });
  } catch (e) {
    return failed(`the world could not be built: ${e instanceof Error ? e.message : String(e)}`);
  }
  let error: string | undefined;
  try {
    const state = {
      tenant: scenario.tenant,
      octokit: world.octokit,
      azureDevOps: world.azureDevOpsApi,
      ...(readsDatabase(scenario) ? { database: () => world.databases.state(scenario.tenant) } : {}),
    };
    const before = await providerState(state);
    try {
      const { run } = scenario;
      if (run.kind === "agent") await runAgent(world, scenario, run, cassette, timeline, start, onEvent);
      else await runLifecycle(world, scenario, run, cassette, timeline, start);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      timeline.push({ at: Date.now() - start, type: "error", message: error });
    }
    // Replaying a cassette that recorded its tool calls: the calls must be the recorded ones, in order.
    const diff =
      !recording && !options.retape && cassette.tools.length
        ? await toolDiff(cassette.tools, calls.map(callRecord))
        : undefined;
    if (diff && !error) {
      error = `replay: ${diff}`;
      timeline.push({ at: Date.now() - start, type: "error", message: error });
    }
    const unfired = [
      ...((await world.github?.world.armedFaults()) ?? []).map((f) => `github ${f}`),
      ...((await world.azureDevOps?.world.armedFaults()) ?? []).map((f) => `azure-devops ${f}`),
    ];
    const evidence = await collectEvidence({
      ...state,
      ledger: world.runtime.ledger,
      calls,
      before,
      faults: { armed: scenario.world.faults.length, unfired },
    });
    return {
      ...which,
      ...verdict(scenario.graders, evidence, error),
      ...(error ? { error } : {}),
      durationMs: Date.now() - start,
      timeline,
      evidence,
      ...(recording || options.retape
        ? {
            cassette: await tape.jsonl({
              kind: "session",
              tenant: scenario.tenant,
              name: cassette.session?.name ?? scenario.title,
              idea:
                scenario.run.kind === "agent"
                  ? scenario.run.task
                  : (scenario.run.idea ?? cassette.session?.idea ?? scenario.title),
            }),
          }
        : {}),
    };
  } finally {
    await world.close();
  }
}
