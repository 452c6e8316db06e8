import type { LifecycleDeps } from "../deps.ts";
import type { LifecycleState, LifecycleUpdate } from "../state.ts";

/** What was built, what waits, and what the team said: the founder's report to the person. */
export function report(deps: LifecycleDeps) {
  return (state: LifecycleState): LifecycleUpdate => {
    deps.onEvent?.({ type: "phase", phase: "report" });
    const bp = state.startup;
    const lines = [`${bp?.name ?? state.tenant} (tenant ${state.tenant})`];
    for (const [server, plan] of Object.entries(state.plans))
      lines.push(`  ${server}: ${plan.steps.length} changes planned, ${plan.unchanged} already in place`);
    for (const a of state.applies)
      lines.push(
        `  ${a.server}: blueprint ${a.status === "done" ? `applied (${a.applied} changes)` : a.status}${a.approvalId ? `, approval ${a.approvalId}` : ""}${a.status === "denied" && a.detail ? `: ${a.detail}` : ""}`,
      );
    if (state.database) lines.push("  database: provisioned");
    for (const m of state.team)
      lines.push(`  ${m.persona} (${m.agentId}): ${m.status}, ${m.toolCalls} tool calls — ${m.report}`);
    return { phase: "report", summary: lines.join("\n") };
  };
}
