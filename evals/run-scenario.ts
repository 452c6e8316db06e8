import { HumanMessage } from "@langchain/core/messages";
import { Command, MemorySaver } from "@langchain/langgraph";
import * as azdev from "azure-devops-node-api";
import { Cassette } from "../agents/cassette.ts";
import { loadAgentConfig } from "../agents/config.ts";
import { equipAgent } from "../agents/equip.ts";
import { modelFor } from "../agents/models.ts";
import { loadPersonas, type PersonaName } from "../agents/personas.ts";
import type { TappedCall } from "../agents/tool-tap.ts";
import type { LifecycleEvent } from "../graphs/lifecycle/deps.ts";
import type { ApprovalInterrupt, PendingApproval } from "../graphs/middleware/governed-tools.ts";
import { personaAgent } from "../graphs/persona.ts";
import { driveLifecycle, releaseRun } from "../graphs/run-lifecycle.ts";
import { toolsets } from "../mcp-servers/catalog.ts";
import { attempted, type Check, grade, refused } from "./graders.ts";
import type { Scenario } from "./scenario.ts";
import { type EvalWorld, openEvalWorld } from "./world.ts";

/** What a person reading the report sees happen, in order. */
export type TimelineEvent =
  | { at: number; type: "message"; from: string; text: string }
  | {
      at: number;
      type: "tool";
      persona: string;
      tool: string;
      status: "done" | "refused" | "waiting" | "error";
      text: string;
    }
  | { at: number; type: "approval"; tool: string; approvalId: string; decision: "approve" | "deny" }
  | { at: number; type: "phase"; phase: string }
  | { at: number; type: "error"; message: string };

export interface ScenarioResult {
  id: string;
  suite: string;
  title: string;
  version: number;
  trial: number;
  pass: boolean;
  checks: Check[];
  /** The run's own failure (left the recording, crashed), when it did not reach its end. */
  error?: string;
  attackAttempted: boolean;
  attackSucceeded: boolean;
  denials: number;
  toolCalls: number;
  tokens: number;
  costUsd: number;
  durationMs: number;
  timeline: TimelineEvent[];
}

const METERING = new Set(["budgets_check_budget", "usage_record_usage"]);

const statusOf = (c: TappedCall): "done" | "refused" | "waiting" | "error" =>
  c.isError
    ? refused(c)
      ? "refused"
      : "error"
    : (c.structured as { status?: string } | undefined)?.status === "pending_approval"
      ? "waiting"
      : "done";

/** Votes on every approval as the scenario says, as another operator would, and notes each in the timeline. */
async function decide(
  world: EvalWorld,
  scenario: Scenario,
  approvals: PendingApproval[],
  timeline: TimelineEvent[],
  start: number,
) {
  for (const a of approvals) {
    await world.runtime.approvals.vote(
      a.approvalId,
      world.approver,
      scenario.approvals,
      `the eval says ${scenario.approvals}`,
    );
    timeline.push({
      at: Date.now() - start,
      type: "approval",
      tool: a.tool,
      approvalId: a.approvalId,
      decision: scenario.approvals,
    });
  }
}

/** One persona agent on one task, with its approvals decided as the scenario says. */
async function runAgent(
  world: EvalWorld,
  scenario: Scenario & { run: { kind: "agent" } },
  cassette: Cassette,
  timeline: TimelineEvent[],
  start: number,
) {
  const { runner } = world.agents;
  const persona = runner.runtime.personas.get(scenario.run.persona);
  const model = runner.modelFor(scenario.run.persona);
  if (!persona || !model)
    throw new Error(
      `${cassette.turns.length ? "the cassette has no turns" : "no model"} for ${scenario.run.persona}`,
    );
  const { token } = await world.runtime.grants.issuer.mint({
    tenant: scenario.tenant,
    persona: persona.name,
    audience: "ai",
    actor: "operator:admin",
  });
  const agent = await equipAgent(runner.runtime, { server: "ai", token });
  try {
    const graph = personaAgent({
      persona,
      ...model,
      toolbox: agent.toolbox,
      situation: `You are agent ${agent.agentId} of tenant ${scenario.tenant}: its GitHub organisation is ${scenario.tenant}, its Azure DevOps project tenant-${scenario.tenant}.`,
      checkpointer: new MemorySaver(),
    });
    const config = { configurable: { thread_id: `${scenario.tenant}/eval` } };
    let result = await graph.invoke({ messages: [new HumanMessage(scenario.run.task)] }, config);
    for (;;) {
      const waiting = (result as { __interrupt__?: { value: ApprovalInterrupt }[] }).__interrupt__?.[0]
        ?.value;
      if (!waiting) break;
      await decide(world, scenario, waiting.approvals, timeline, start);
      result = await graph.invoke(new Command({ resume: { decided: true } }), config);
    }
    const last = result.messages.at(-1);
    if (last?.text)
      timeline.push({ at: Date.now() - start, type: "message", from: persona.name, text: last.text });
  } finally {
    await agent.toolbox.close();
  }
}

/** The founder's lifecycle from what the person says, the person's answers scripted. */
async function runLifecycle(
  world: EvalWorld,
  scenario: Scenario & { run: { kind: "lifecycle" } },
  cassette: Cassette,
  timeline: TimelineEvent[],
  start: number,
) {
  const idea = scenario.run.idea ?? cassette.session?.idea;
  if (!idea) throw new Error("the scenario has no idea and its cassette no session line");
  const answers = [...scenario.run.answers];
  const thread = `${scenario.tenant}/eval`;
  timeline.push({ at: 0, type: "message", from: "person", text: idea });
  try {
    await driveLifecycle(
      world.agents.runner,
      { tenant: scenario.tenant, thread },
      { start: { messages: [{ role: "user", content: idea }] as never } },
      {
        approvalsDecided: (approvals) => decide(world, scenario, approvals, timeline, start),
        answer: async (question) => {
          const answer = answers.shift();
          if (answer === undefined)
            throw new Error(`the founder asked "${question}" and the scenario has no answer left`);
          timeline.push({ at: Date.now() - start, type: "message", from: "person", text: answer });
          return answer;
        },
      },
    );
  } finally {
    await releaseRun(thread);
  }
}

/**
 * Runs one scenario once in a fresh world: the recorded model turns replayed (failing closed when the run
 * leaves them), every tool call through the real gate and sandboxes, then every grader over what it left.
 */
export async function runScenario(scenario: Scenario, template: string, trial = 1): Promise<ScenarioResult> {
  const start = Date.now();
  const cassette = await Cassette.load(scenario.cassettePath);
  const config = loadAgentConfig({});
  const personas = await loadPersonas(config.personasDir, toolsets());
  const timeline: TimelineEvent[] = [];
  const calls: TappedCall[] = [];
  const onEvent = (e: LifecycleEvent) => {
    if (e.type === "said")
      timeline.push({ at: Date.now() - start, type: "message", from: e.persona, text: e.text });
    else if (e.type === "phase") timeline.push({ at: Date.now() - start, type: "phase", phase: e.phase });
  };
  const failed = (message: string): ScenarioResult => ({
    id: scenario.id,
    suite: scenario.suite,
    title: scenario.title,
    version: scenario.version,
    trial,
    pass: false,
    checks: [],
    error: message,
    attackAttempted: false,
    attackSucceeded: false,
    denials: 0,
    toolCalls: calls.length,
    tokens: 0,
    costUsd: 0,
    durationMs: Date.now() - start,
    timeline: [...timeline, { at: Date.now() - start, type: "error", message }],
  });
  let world: EvalWorld;
  try {
    world = await openEvalWorld(scenario, template, {
      modelFor: (persona: PersonaName) => {
        const p = personas.get(persona);
        return p && cassette.for(persona).length > 0 ? modelFor(p, config, { cassette }) : undefined;
      },
      onEvent,
      onToolCall: (call) => {
        // The meter's own calls around each model turn are cost (counted as tokens), not the trajectory.
        if (call.server === "ai" && METERING.has(call.tool)) return;
        calls.push(call);
        timeline.push({
          at: Date.now() - start,
          type: "tool",
          persona: call.persona,
          tool: `${call.server}__${call.tool}`,
          status: statusOf(call),
          text: call.text.slice(0, 2000),
        });
      },
    });
  } catch (e) {
    return failed(`the world could not be built: ${e instanceof Error ? e.message : String(e)}`);
  }
  let error: string | undefined;
  try {
    try {
      if (scenario.run.kind === "agent") await runAgent(world, scenario as never, cassette, timeline, start);
      else await runLifecycle(world, scenario as never, cassette, timeline, start);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      timeline.push({ at: Date.now() - start, type: "error", message: error });
    }
    const usage = (await world.runtime.ledger.entries({ tenant: scenario.tenant, limit: 10_000 }))
      .filter((e) => e.action === "model.usage")
      .map((e) => e.payload as { inputTokens: number; outputTokens: number; costMicroUsd: number });
    const tokens = usage.reduce((n, u) => n + u.inputTokens + u.outputTokens, 0);
    const org = world.azureDevOps.orgUrl;
    const pat = await world.azureDevOps.world.pat(org.split("/").at(-1) as string, "eval-grader");
    const checks = await grade(scenario.graders, {
      tenant: scenario.tenant,
      octokit: world.octokit,
      azureDevOps: new azdev.WebApi(org, azdev.getPersonalAccessTokenHandler(pat)),
      ledger: world.runtime.ledger,
      calls,
      tokens,
    });
    const attackSucceeded = checks.some((c) => c.grader === "attack" && !c.pass);
    return {
      id: scenario.id,
      suite: scenario.suite,
      title: scenario.title,
      version: scenario.version,
      trial,
      pass: !error && checks.every((c) => c.pass),
      checks,
      ...(error ? { error } : {}),
      attackAttempted: attempted(scenario.graders, calls),
      attackSucceeded,
      denials: calls.filter((c) => statusOf(c) === "refused").length,
      toolCalls: calls.length,
      tokens,
      costUsd: usage.reduce((n, u) => n + u.costMicroUsd, 0) / 1e6,
      durationMs: Date.now() - start,
      timeline,
    };
  } finally {
    await world.close();
  }
}
