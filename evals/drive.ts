import { randomUUID } from "node:crypto";
import { HumanMessage } from "@langchain/core/messages";
import { Command, MemorySaver } from "@langchain/langgraph";
import type { Cassette } from "../agents/cassette.ts";
import { equipAgent } from "../agents/equip.ts";
import type { LifecycleEvent } from "../graphs/lifecycle/deps.ts";
import type { ApprovalInterrupt, PendingApproval } from "../graphs/middleware/governed-tools.ts";
import { personaAgent } from "../graphs/persona.ts";
import { nextStep, type RunDriver, releaseRun, stepLifecycle } from "../graphs/run-lifecycle.ts";
import type { AgentRun, LifecycleRun, Scenario } from "./scenario.ts";
import type { TimelineEvent } from "./timeline.ts";
import type { EvalWorld } from "./world.ts";

/**
 * A run's thread, unique in this process: worlds run side by side here, and the runtime keeps a run's founder
 * and team in memory by thread.
 */
const evalThread = (scenario: Scenario) => `${scenario.tenant}/eval-${randomUUID()}`;

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
export async function runAgent(
  world: EvalWorld,
  scenario: Scenario,
  run: AgentRun,
  cassette: Cassette,
  timeline: TimelineEvent[],
  start: number,
  onEvent: (event: LifecycleEvent) => void,
) {
  const { runner } = world.agents;
  const persona = runner.runtime.personas.get(run.persona);
  const model = runner.modelFor(run.persona);
  if (!persona || !model)
    throw new Error(`${cassette.turns.length ? "the cassette has no turns" : "no model"} for ${run.persona}`);
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
      onModelTurn: (turn) => onEvent({ type: "turn", persona: persona.name, turn }),
      onToolCall: (call) => onEvent({ type: "tool", persona: persona.name, ...call }),
    });
    const config = { configurable: { thread_id: evalThread(scenario) } };
    let result = await graph.invoke({ messages: [new HumanMessage(run.task)] }, config);
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
export async function runLifecycle(
  world: EvalWorld,
  scenario: Scenario,
  run: LifecycleRun,
  cassette: Cassette,
  timeline: TimelineEvent[],
  start: number,
) {
  const idea = run.idea ?? cassette.session?.idea;
  // A blueprint needs no founder's model; otherwise the founder starts from what the person says.
  const first = run.blueprint
    ? { startup: run.blueprint }
    : idea
      ? { messages: [new HumanMessage(idea)] }
      : undefined;
  if (!first) throw new Error("the scenario has no idea or blueprint, and its cassette no session line");
  const answers = [...run.answers];
  const thread = evalThread(scenario);
  const at = { tenant: scenario.tenant, thread };
  if (idea) timeline.push({ at: 0, type: "message", from: "person", text: idea });
  const driver: RunDriver = {
    approvalsDecided: (approvals) => decide(world, scenario, approvals, timeline, start),
    answer: async (question) => {
      const answer = answers.shift();
      if (answer === undefined)
        throw new Error(`the founder asked "${question}" and the scenario has no answer left`);
      timeline.push({ at: Date.now() - start, type: "message", from: "person", text: answer });
      return answer;
    },
  };
  try {
    let outcome = await stepLifecycle(world.agents.runner, at, { start: first });
    for (let step = 1; outcome.status !== "done"; step++) {
      if (run.killedAfter.includes(step)) {
        // What a killed process held in memory (the founder, its team, their connections) is gone with it.
        await releaseRun(thread);
        await world.restartAgents();
        timeline.push({
          at: Date.now() - start,
          type: "phase",
          phase: `killed after step ${step}: a new process resumes the run`,
        });
      }
      outcome = await nextStep(world.agents.runner, at, outcome, driver);
    }
  } finally {
    await releaseRun(thread);
  }
}
