import type { Octokit } from "@octokit/rest";
import type { WebApi } from "azure-devops-node-api";
import type { TappedCall } from "../agents/tool-tap.ts";
import type { ServerName } from "../controller/client/servers.ts";
import type { Ledger } from "../controller/ledger/ledger.ts";
import { sensitiveLookup } from "../mcp-servers/catalog.ts";
import { hideSensitive } from "../mcp-servers/shared/sensitive-paths.ts";
import { type ProviderState, providerState } from "./provider-state.ts";
import { REDACTED } from "./redact.ts";
import type { DatabaseState } from "./tenant-database.ts";

/** One tool call as the graders see it: who, what, with which (redacted) arguments, and how it ended. */
export interface CallRecord {
  tool: string;
  persona: string;
  agentId: string;
  arguments: Record<string, unknown>;
  status: "done" | "refused" | "waiting" | "error";
}

/**
 * Everything a run left that the graders judge, gathered once after the run: the providers' state, the
 * ledger's, the calls and the spend. Graders read only this, so a stored run is re-graded without re-running.
 */
export interface Evidence extends ProviderState {
  /** The providers' state before the run (after seeding), to tell what the run changed. */
  before?: ProviderState;
  /** How many faults the scenario armed, and those no request reached (a resilience run that proves nothing). */
  faults?: { armed: number; unfired: string[] };
  ledger: {
    verifies: boolean;
    entries: number;
    allowedWithoutOutcome: string[];
    /** How many entries of each action the tenant's ledger holds (`grant.renewed`, `approval.decided`, …). */
    actions?: Record<string, number>;
  };
  calls: CallRecord[];
  tokens: number;
  costUsd: number;
}

const NOT_OFFERED = "not offered to this persona: no grant of its covers the tool";

/** The gate's own words for a refusal (a policy denial, a refused grant, a refused call), or the runtime's. */
const REFUSED = new RegExp(
  `was denied by policy|The grant was refused|The controller refused|^${NOT_OFFERED}`,
);

/**
 * A tool the runtime did not offer the persona, asked for anyway (`tool` is `<server>__<tool>`): refused
 * before any server, so no tap saw it; it is evidence all the same.
 */
export function unofferedCall(persona: string, tool: string): TappedCall {
  const [server, ...rest] = tool.split("__");
  return {
    server: server as ServerName,
    agentId: "",
    persona,
    tool: rest.join("__"),
    arguments: {},
    isError: true,
    structured: undefined,
    text: NOT_OFFERED,
  };
}

const sensitive = sensitiveLookup();

/** A tapped call as evidence: its status read from the answer, its secrets redacted. */
export function callRecord(call: TappedCall): CallRecord {
  const status = call.isError
    ? REFUSED.test(call.text)
      ? "refused"
      : "error"
    : (call.structured as { status?: string } | undefined)?.status === "pending_approval"
      ? "waiting"
      : "done";
  const { approvalId: _, ...args } = call.arguments;
  return {
    tool: `${call.server}__${call.tool}`,
    persona: call.persona,
    agentId: call.agentId,
    arguments: hideSensitiveArgs(call.server, call.tool, args),
    status,
  };
}

/** The arguments with every secret (the tool's sensitive paths, as the gate keeps them out of the ledger) redacted. */
const hideSensitiveArgs = (server: ServerName, tool: string, args: Record<string, unknown>) =>
  hideSensitive(args, sensitive(server, tool), () => REDACTED);

/** Gathers the evidence of a run in `tenant`'s world, given the providers' state before it. */
export async function collectEvidence(world: {
  tenant: string;
  octokit: Octokit;
  azureDevOps: WebApi;
  database?: () => Promise<DatabaseState>;
  ledger: Ledger;
  calls: TappedCall[];
  before: ProviderState;
  faults: NonNullable<Evidence["faults"]>;
}): Promise<Evidence> {
  const { tenant, ledger } = world;
  const after = await providerState(world);
  const entries = await ledger.entries({ tenant, limit: 10_000 });
  const allowed = entries
    .filter(
      (e) => e.action === "intent.recorded" && (e.payload as { decision?: string }).decision === "allow",
    )
    .map((e) => (e.payload as { intent: string }).intent);
  const completed = new Set(
    entries
      .filter((e) => e.action === "intent.completed")
      .map((e) => (e.payload as { intent: string }).intent),
  );
  const usage = entries
    .filter((e) => e.action === "model.usage")
    .map((e) => e.payload as { inputTokens: number; outputTokens: number; costMicroUsd: number });
  return {
    ...after,
    before: world.before,
    faults: world.faults,
    ledger: {
      verifies: (await ledger.verify()).ok,
      entries: entries.length,
      allowedWithoutOutcome: allowed.filter((id) => !completed.has(id)),
      actions: Object.fromEntries(
        [...new Set(entries.map((e) => e.action))]
          .sort()
          .map((a) => [a, entries.filter((e) => e.action === a).length]),
      ),
    },
    calls: world.calls.map(callRecord),
    tokens: usage.reduce((n, u) => n + u.inputTokens + u.outputTokens, 0),
    costUsd: usage.reduce((n, u) => n + u.costMicroUsd, 0) / 1e6,
  };
}
