import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { END, Send, START, StateGraph } from "@langchain/langgraph";
import type { LifecycleDeps } from "./deps.ts";
import { askPerson, intake, plannedBlueprints } from "./nodes/intake.ts";
import { blueprint, plan, provision, requestApproval } from "./nodes/provision.ts";
import { report } from "./nodes/report.ts";
import { type MemberTask, member } from "./nodes/team.ts";
import { LifecycleState, type Phase } from "./state.ts";

/** Which personas work in which team phase, in order. */
const TEAM_PHASES: { phase: Phase; personas: string[]; next: string }[] = [
  { phase: "build", personas: ["dev", "ops"], next: "secure" },
  { phase: "secure", personas: ["sec"], next: "budget" },
  { phase: "budget", personas: ["finance"], next: "report" },
];

/** The phase's members as tasks of their own, or straight on to the next phase when it has none. */
const fanOut = (phase: (typeof TEAM_PHASES)[number]) => (state: LifecycleState) => {
  const bp = state.startup;
  if (!bp) return phase.next;
  const tasks = bp.team
    .map((m, index) => ({ m, index }))
    .filter(({ m }) => phase.personas.includes(m.persona))
    .map(
      ({ m, index }) =>
        new Send(`${phase.phase}_member`, {
          tenant: state.tenant,
          blueprint: bp,
          phase: phase.phase,
          index,
          member: m,
        } satisfies MemberTask),
    );
  return tasks.length > 0 ? tasks : phase.next;
};

/**
 * The startup lifecycle the founder drives: intake → blueprint → plan → approval → provision → build →
 * secure → budget → report. A pending approval or a question for the person interrupts it; the checkpointer
 * lets any process resume it where it stopped.
 */
export function lifecycleGraph(deps: LifecycleDeps, checkpointer?: BaseCheckpointSaver) {
  const graph = new StateGraph(LifecycleState)
    .addNode("intake", intake(deps))
    .addNode("ask", askPerson)
    .addNode("blueprint", blueprint(deps))
    .addNode("plan", plan(deps))
    .addNode("approval", requestApproval(deps))
    .addNode("provision", provision(deps))
    .addNode("build", () => ({ phase: "build" as const }))
    .addNode("build_member", member(deps))
    .addNode("secure", () => ({ phase: "secure" as const }))
    .addNode("secure_member", member(deps))
    .addNode("budget", () => ({ phase: "budget" as const }))
    .addNode("budget_member", member(deps))
    .addNode("report", report(deps))
    .addEdge(START, "intake")
    .addConditionalEdges("intake", (state) =>
      state.startup || Object.keys(plannedBlueprints(state.messages)).length > 0 ? "blueprint" : "ask",
    )
    .addEdge("ask", "intake")
    .addEdge("blueprint", "plan")
    .addEdge("plan", "approval")
    .addEdge("approval", "provision")
    .addConditionalEdges("provision", (state) =>
      state.applies.every((a) => a.status === "done") ? "build" : "report",
    )
    .addConditionalEdges("build", fanOut(TEAM_PHASES[0] as (typeof TEAM_PHASES)[number]))
    .addEdge("build_member", "secure")
    .addConditionalEdges("secure", fanOut(TEAM_PHASES[1] as (typeof TEAM_PHASES)[number]))
    .addEdge("secure_member", "budget")
    .addConditionalEdges("budget", fanOut(TEAM_PHASES[2] as (typeof TEAM_PHASES)[number]))
    .addEdge("budget_member", "report")
    .addEdge("report", END);
  return graph.compile(checkpointer ? { checkpointer } : {});
}
