import { interrupt } from "@langchain/langgraph";
import { callTool, ToolCallFailed, type WriteAnswer } from "../../../agents/call-tool.ts";
import type { ApprovalInterrupt } from "../../middleware/governed-tools.ts";
import type { LifecycleDeps } from "../deps.ts";
import { StartupBlueprint } from "../startup-blueprint.ts";
import type { ApplyRecord, LifecycleState, LifecycleUpdate } from "../state.ts";
import { plannedBlueprints } from "./intake.ts";

type Provider = ApplyRecord["server"];
const PROVIDERS: { server: Provider; key: "github" | "azureDevOps" }[] = [
  { server: "github", key: "github" },
  { server: "azure-devops", key: "azureDevOps" },
];

interface PlanView {
  steps: { tool: string; action: string; resource: string }[];
  unchanged: string[];
}

const blueprintOf = (state: LifecycleState) => {
  if (!state.startup) throw new Error("the lifecycle has no blueprint");
  return state.startup;
};

/** The blueprint: as given (`factory tenants apply`), or as the founder planned it in the conversation. */
export function blueprint(deps: LifecycleDeps) {
  return (state: LifecycleState): LifecycleUpdate => {
    deps.onEvent?.({ type: "phase", phase: "blueprint" });
    if (state.startup) return { phase: "blueprint", startup: StartupBlueprint.parse(state.startup) };
    const planned = plannedBlueprints(state.messages);
    const org = typeof planned.github?.org === "string" ? planned.github.org : state.tenant;
    return {
      phase: "blueprint",
      startup: StartupBlueprint.parse({ tenant: state.tenant, name: org, ...planned }),
    };
  };
}

/** A dry run on each provider, through the founder's grants: what apply will change. */
export function plan(deps: LifecycleDeps) {
  return async (state: LifecycleState): Promise<LifecycleUpdate> => {
    deps.onEvent?.({ type: "phase", phase: "plan" });
    const bp = blueprintOf(state);
    const plans: LifecycleState["plans"] = {};
    for (const { server, key } of PROVIDERS) {
      const input = bp[key];
      if (!input) continue;
      const view = await callTool<PlanView>(deps.founder.toolbox.clients[server], "plan_blueprint", input);
      plans[server] = {
        steps: view.steps.map((s) => `${s.action} ${s.tool} ${s.resource}`),
        unchanged: view.unchanged.length,
      };
      deps.onEvent?.({
        type: "step",
        phase: "plan",
        message: `${server}: ${view.steps.length} changes planned`,
      });
    }
    return { phase: "plan", plans };
  };
}

async function apply(
  deps: LifecycleDeps,
  server: Provider,
  input: Record<string, unknown>,
  approvalId?: string,
): Promise<ApplyRecord> {
  try {
    const answer = await callTool<WriteAnswer<{ applied: unknown[] }>>(
      deps.founder.toolbox.clients[server],
      "apply_blueprint",
      approvalId ? { ...input, approvalId } : input,
    );
    if (answer.status === "pending_approval")
      return {
        server,
        tool: "apply_blueprint",
        status: "pending_approval",
        intentId: answer.intentId,
        approvalId: answer.approvalId,
        detail: answer.reasons.join("; "),
      };
    return {
      server,
      tool: "apply_blueprint",
      status: "done",
      intentId: answer.intentId,
      applied: answer.result.applied.length,
    };
  } catch (error) {
    if (!(error instanceof ToolCallFailed)) throw error;
    return {
      server,
      tool: "apply_blueprint",
      status: "denied",
      intentId: "",
      detail: error.message,
      ...(approvalId ? { approvalId } : {}),
    };
  }
}

/** Asks to apply each provider's blueprint: an apply waits for approvers, and its intent is in the ledger now. */
export function requestApproval(deps: LifecycleDeps) {
  return async (state: LifecycleState): Promise<LifecycleUpdate> => {
    deps.onEvent?.({ type: "phase", phase: "approval" });
    const bp = blueprintOf(state);
    const applies: ApplyRecord[] = [];
    for (const { server, key } of PROVIDERS) {
      const input = bp[key];
      if (!input) continue;
      const record = await apply(deps, server, input);
      applies.push(record);
      deps.onEvent?.({
        type: "step",
        phase: "approval",
        message:
          record.status === "pending_approval"
            ? `${server}: apply_blueprint waits for approval ${record.approvalId}`
            : `${server}: apply_blueprint ${record.status}`,
      });
    }
    return { phase: "approval", applies };
  };
}

/**
 * Waits (interrupted) until the approvers have decided, then applies what was approved, and provisions the
 * tenant's database. Nothing is called before the interrupt, so nothing is called twice on resume.
 */
export function provision(deps: LifecycleDeps) {
  return async (state: LifecycleState): Promise<LifecycleUpdate> => {
    const bp = blueprintOf(state);
    let applies = state.applies;
    for (let round = 0; applies.some((a) => a.status === "pending_approval"); round++) {
      const waiting = applies.filter((a) => a.status === "pending_approval");
      interrupt<ApprovalInterrupt>({
        type: "approval",
        approvals: waiting.map((a) => ({
          approvalId: a.approvalId as string,
          intentId: a.intentId,
          tool: `${a.server}__${a.tool}`,
          policies: [],
          reasons: a.detail ? [a.detail] : [],
        })),
      });
      applies = await Promise.all(
        applies.map((a) =>
          a.status === "pending_approval"
            ? apply(deps, a.server, bp[a.server === "github" ? "github" : "azureDevOps"] ?? {}, a.approvalId)
            : a,
        ),
      );
      if (round > 100) throw new Error("approvals never settled");
    }
    deps.onEvent?.({ type: "phase", phase: "provision" });
    for (const a of applies)
      deps.onEvent?.({
        type: "step",
        phase: "provision",
        message: `${a.server}: ${a.status}${a.applied !== undefined ? ` (${a.applied} changes)` : ""}`,
      });
    let database: Record<string, unknown> | null = null;
    if (bp.database && applies.every((a) => a.status === "done")) {
      const answer = await callTool<WriteAnswer<Record<string, unknown>>>(
        deps.founder.toolbox.clients.database,
        "database_provision_database",
        {},
      );
      database = answer.status === "done" ? answer.result : { status: answer.status };
      deps.onEvent?.({ type: "step", phase: "provision", message: "database: provisioned" });
    }
    return { phase: "provision", applies, database };
  };
}
