import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { callTool, type WriteAnswer } from "../../../agents/call-tool.ts";
import { type EquippedAgent, equipAgent } from "../../../agents/equip.ts";
import type { PersonaName } from "../../../agents/personas.ts";
import { type PullReview, reviewPullRequests } from "../../../agents/scan/review.ts";
import type { RecordedTurn } from "../../middleware/turn-recorder.ts";
import { personaAgent } from "../../persona.ts";
import type { LifecycleDeps } from "../deps.ts";
import type { StartupBlueprint } from "../startup-blueprint.ts";
import type { Phase, TeamRecord } from "../state.ts";

/** One team member's work, as the phase hands it out (a `Send` each, so each runs as its own task). */
export interface MemberTask {
  tenant: string;
  blueprint: StartupBlueprint;
  phase: Phase;
  index: number;
  member: StartupBlueprint["team"][number];
}

/** Children equipped in this process, by run and part: a resumed step reuses its child, not spawns another. */
const equipped = new Map<string, EquippedAgent>();

/** Closes the connections of the children a run (`thread`) equipped in this process. */
export async function releaseTeam(thread: string): Promise<void> {
  for (const [key, child] of equipped)
    if (key.startsWith(`${thread}/`)) {
      equipped.delete(key);
      await child.toolbox.close();
    }
}

/**
 * The member playing `part` of the run: equipped in this process already, or spawned through the AI server
 * (resumed as the same agent when another process spawned it before, so its pending approvals still answer).
 */
async function childFor(deps: LifecycleDeps, thread: string, part: string, task: MemberTask) {
  const key = `${thread}/${part}`;
  const known = equipped.get(key);
  if (known) return known;
  const before = await deps.identities.get(thread, part);
  const spawned = await callTool<WriteAnswer<{ agentId: string }>>(
    deps.founder.toolbox.clients.ai,
    "agents_spawn_agent",
    { persona: task.member.persona, reason: task.member.task, ...(before ? { agentId: before } : {}) },
  );
  if (spawned.status !== "done")
    throw new Error(`spawning ${task.member.persona} waits for approval ${spawned.approvalId}`);
  const grant = await deps.claimSpawned(spawned.result.agentId);
  if (!grant) throw new Error(`the AI server did not hand over ${spawned.result.agentId}'s grant`);
  const child = await equipAgent(deps.runtime, { server: "ai", token: grant.token });
  equipped.set(key, child);
  if (!before) {
    await deps.identities.remember(thread, part, child.agentId);
    deps.onEvent?.({ type: "spawned", persona: task.member.persona, agentId: child.agentId });
  }
  return child;
}

const repos = (bp: StartupBlueprint) =>
  ((bp.github?.repos as { name: string }[] | undefined) ?? []).map((r) => ({
    owner: String(bp.github?.org),
    repo: r.name,
  }));

/** What a persona does when it has no model: the governed, deterministic part of its job. */
async function withoutModel(
  child: EquippedAgent,
  task: MemberTask,
): Promise<Omit<TeamRecord, "persona" | "agentId" | "task">> {
  const { clients } = child.toolbox;
  switch (task.member.persona) {
    case "sec": {
      for (const repo of repos(task.blueprint))
        await callTool(clients.github, "security_update_settings", repo);
      return {
        status: "done",
        report: `security settings on for ${repos(task.blueprint).length} repositories`,
        toolCalls: repos(task.blueprint).length,
      };
    }
    case "finance": {
      const budgets = await callTool<{ budgets: { scope: string; period: string; usedTokens?: number }[] }>(
        clients.ai,
        "budgets_get_budgets",
        {},
      );
      return { status: "done", report: `${budgets.budgets.length} budget lines read`, toolCalls: 1 };
    }
    case "dev":
    case "ops":
      return { status: "skipped", report: "no model: this persona's work needs one", toolCalls: 0 };
  }
}

const reviewLine = (r: PullReview) =>
  `${r.repo}#${r.number}: ${r.findings.length} findings, ${r.blocking.length} blocking${r.issue ? `, remediation issue #${r.issue}` : ""}`;

/** Spawns the member through the AI server (its grants within the founder's and its role template) and runs it. */
export function member(deps: LifecycleDeps) {
  return async (task: MemberTask, config: LangGraphRunnableConfig): Promise<{ team: TeamRecord[] }> => {
    const thread = String(config.configurable?.thread_id ?? "run");
    const child = await childFor(deps, thread, `${task.phase}/${task.index}`, task);
    const base = { persona: task.member.persona, agentId: child.agentId, task: task.member.task };
    // Sec's review of the open pull requests is policy, not judgement: it runs with or without a model.
    const reviews =
      task.member.persona === "sec"
        ? await reviewPullRequests(child.toolbox.clients.github, repos(task.blueprint), deps.scanning)
        : [];
    const model = deps.modelFor(task.member.persona as PersonaName);
    if (!model) {
      const done = await withoutModel(child, task);
      return { team: [{ ...base, ...done, report: [done.report, ...reviews.map(reviewLine)].join("; ") }] };
    }
    const agent = personaAgent({
      persona: child.persona,
      ...model,
      toolbox: child.toolbox,
      situation: `You are agent ${child.agentId} of tenant ${task.tenant} (${task.blueprint.name}), spawned by the founder.`,
      onToolCall: (call) => deps.onEvent?.({ type: "tool", persona: task.member.persona, ...call }),
      ...(deps.onEvent
        ? {
            onToken: (text: string) => deps.onEvent?.({ type: "token", persona: task.member.persona, text }),
            onModelTurn: (turn: RecordedTurn) =>
              deps.onEvent?.({ type: "turn", persona: task.member.persona, turn }),
          }
        : {}),
    });
    const findings = reviews.length
      ? `\n\nThe security scan of the open pull requests:\n${reviews.map(reviewLine).join("\n")}`
      : "";
    const result = await agent.invoke(
      { messages: [new HumanMessage(`${task.member.task}${findings}`)] },
      config,
    );
    const last = result.messages.findLast((m) => AIMessage.isInstance(m));
    const toolCalls = result.messages.filter((m) => ToolMessage.isInstance(m)).length;
    return { team: [{ ...base, status: "done", report: last?.text ?? "", toolCalls }] };
  };
}
