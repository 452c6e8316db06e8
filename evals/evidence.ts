import type { Octokit } from "@octokit/rest";
import type { WebApi } from "azure-devops-node-api";
import type { TappedCall } from "../agents/tool-tap.ts";
import type { ServerName } from "../controller/client/servers.ts";
import type { Ledger } from "../controller/ledger/ledger.ts";
import { sensitiveLookup } from "../mcp-servers/catalog.ts";
import { hideSensitive } from "../mcp-servers/shared/sensitive-paths.ts";
import { REDACTED } from "./redact.ts";

/** One tool call as the graders see it: who, what, with which (redacted) arguments, and how it ended. */
export interface CallRecord {
  tool: string;
  persona: string;
  agentId: string;
  arguments: Record<string, unknown>;
  status: "done" | "refused" | "waiting" | "error";
}

export interface RepoState {
  defaultBranch: string;
  files: string[];
  protectedBranches: string[];
  openPulls: number;
}

/**
 * Everything a run left that the graders judge, gathered once after the run: the providers' state, the
 * ledger's, the calls and the spend. Graders read only this, so a stored run is re-graded without re-running.
 */
export interface Evidence {
  github: Record<string, RepoState>;
  azureDevOps: { projects: string[] };
  ledger: { verifies: boolean; entries: number; allowedWithoutOutcome: string[] };
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

const status = (e: unknown) => (e as { status?: number }).status;

async function repoState(
  octokit: Octokit,
  owner: string,
  repo: string,
  defaultBranch: string,
): Promise<RepoState> {
  const branches = (await octokit.repos.listBranches({ owner, repo, per_page: 100 })).data;
  const head = branches.find((b) => b.name === defaultBranch);
  let files: string[] = [];
  if (head) {
    const commit = await octokit.git.getCommit({ owner, repo, commit_sha: head.commit.sha });
    const tree = await octokit.git.getTree({ owner, repo, tree_sha: commit.data.tree.sha, recursive: "1" });
    files = tree.data.tree
      .filter((e) => e.type === "blob")
      .map((e) => e.path as string)
      .sort();
  }
  const pulls = await octokit.pulls.list({ owner, repo, state: "open", per_page: 100 });
  return {
    defaultBranch,
    files,
    protectedBranches: branches
      .filter((b) => b.protected)
      .map((b) => b.name)
      .sort(),
    openPulls: pulls.data.length,
  };
}

/** Gathers the evidence of a run in `tenant`'s world. */
export async function collectEvidence(world: {
  tenant: string;
  octokit: Octokit;
  azureDevOps: WebApi;
  ledger: Ledger;
  calls: TappedCall[];
}): Promise<Evidence> {
  const { tenant, octokit, ledger } = world;
  const repos = await octokit.repos.listForOrg({ org: tenant, per_page: 100 }).then(
    (r) => r.data,
    (e) => (status(e) === 404 ? [] : Promise.reject(e)),
  );
  const github: Record<string, RepoState> = {};
  for (const r of repos)
    github[r.name] = await repoState(octokit, tenant, r.name, r.default_branch ?? "main");
  const projects = (await (await world.azureDevOps.getCoreApi()).getProjects())
    .map((p) => p.name as string)
    .sort();
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
    github,
    azureDevOps: { projects },
    ledger: {
      verifies: (await ledger.verify()).ok,
      entries: entries.length,
      allowedWithoutOutcome: allowed.filter((id) => !completed.has(id)),
    },
    calls: world.calls.map(callRecord),
    tokens: usage.reduce((n, u) => n + u.inputTokens + u.outputTokens, 0),
    costUsd: usage.reduce((n, u) => n + u.costMicroUsd, 0) / 1e6,
  };
}
