import type { BaseMessage } from "@langchain/core/messages";
import { Annotation, messagesStateReducer } from "@langchain/langgraph";
import type { StartupBlueprint } from "./startup-blueprint.ts";

/** Where the startup is in its lifecycle, for progress and for `factory chat`. */
export const PHASES = [
  "intake",
  "blueprint",
  "plan",
  "approval",
  "provision",
  "build",
  "secure",
  "budget",
  "report",
] as const;
export type Phase = (typeof PHASES)[number];

/** A provider blueprint's apply as the lifecycle tracks it. */
export interface ApplyRecord {
  server: "github" | "azure-devops";
  tool: string;
  status: "done" | "pending_approval" | "denied";
  intentId: string;
  approvalId?: string;
  /** Plan steps made (on done). */
  applied?: number;
  detail?: string;
}

/** A child persona's run as the lifecycle tracks it: who, what for, and what it said at the end. */
export interface TeamRecord {
  persona: string;
  agentId: string;
  task: string;
  status: "done" | "failed" | "skipped";
  report: string;
  toolCalls: number;
}

const replace = <T>(initial: () => T) => Annotation<T>({ reducer: (_, next) => next, default: initial });

export const LifecycleState = Annotation.Root({
  tenant: replace<string>(() => ""),
  /** The founder's conversation with the person. */
  messages: Annotation<BaseMessage[]>({ reducer: messagesStateReducer, default: () => [] }),
  /** The startup as a whole: given (`factory tenants apply`) or as the founder planned it. */
  startup: replace<StartupBlueprint | null>(() => null),
  /** Per server: the plan's step count and its steps as `action tool resource`. */
  plans: replace<Record<string, { steps: string[]; unchanged: number }>>(() => ({})),
  applies: replace<ApplyRecord[]>(() => []),
  database: replace<Record<string, unknown> | null>(() => null),
  team: Annotation<TeamRecord[]>({ reducer: (all, more) => [...all, ...more], default: () => [] }),
  phase: replace<Phase>(() => "intake"),
  /** The founder's report to the person, once the lifecycle is through. */
  summary: replace<string>(() => ""),
});
export type LifecycleState = typeof LifecycleState.State;
export type LifecycleUpdate = typeof LifecycleState.Update;
