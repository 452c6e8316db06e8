import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { AgentRuntime, EquippedAgent } from "../../agents/equip.ts";
import type { PersonaName } from "../../agents/personas.ts";
import type { RunIdentities } from "../../agents/run-identities.ts";
import type { ScanningPolicy } from "../../agents/scan/policy.ts";
import type { ClaimSpawned } from "../../agents/spawn-claim.ts";
import type { RecordedTurn } from "../middleware/turn-recorder.ts";
import type { Phase } from "./state.ts";

/** A model for one persona's agent, and the id the controller meters it under. */
export interface PersonaModel {
  model: BaseChatModel;
  modelId: string;
}

/** What the lifecycle tells whoever watches it (the chat, the CLI's progress, the run record). */
export type LifecycleEvent =
  | { type: "phase"; phase: Phase }
  | { type: "step"; phase: Phase; message: string }
  | { type: "spawned"; persona: string; agentId: string }
  | { type: "tool"; persona: string; tool: string; status: "done" | "error" | "pending_approval" | "refused" }
  | { type: "said"; persona: string; text: string }
  /** A piece of a persona's words as its model streams them; `said` follows with the whole. */
  | { type: "token"; persona: string; text: string }
  /** A persona's model turn as a cassette records it. */
  | { type: "turn"; persona: string; turn: RecordedTurn };

/** What a lifecycle run is built from; rebuilt for each process that runs or resumes it. */
export interface LifecycleDeps {
  runtime: AgentRuntime;
  /** The founder: the agent whose grants the lifecycle acts with, and the parent of the team. */
  founder: EquippedAgent;
  /** A child the founder spawned, with its grant, from the AI server (in this process or over HTTP). */
  claimSpawned: ClaimSpawned;
  /** Which agent plays each part of the run, so a member resumed in another process is the same agent. */
  identities: RunIdentities;
  /** The model for a persona; none makes that persona's step deterministic (or skipped). */
  modelFor(persona: PersonaName): PersonaModel | undefined;
  /** What blocks a pull request when sec reviews it (policies/scanning.yaml). */
  scanning: ScanningPolicy;
  onEvent?(event: LifecycleEvent): void;
}
