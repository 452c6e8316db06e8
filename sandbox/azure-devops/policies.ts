import type { Objects } from "../store.ts";
import {
  type AdoRepo,
  type Pipeline,
  type PolicyConfiguration,
  type PullRequest,
  pipelineKey,
  type Run,
} from "./model.ts";

export const MINIMUM_REVIEWERS = "fa4e907d-c16b-4a4c-9dfa-4906e5d171dd";
export const BUILD = "0609b952-1397-4640-95ec-e00a01b2c241";

/** The branch policy types the sandbox enforces, with Azure DevOps' ids and names. */
export const POLICY_TYPES = [
  {
    id: MINIMUM_REVIEWERS,
    displayName: "Minimum number of reviewers",
    description:
      "This policy will ensure that a minimum number of reviewers have approved a pull request before completion.",
  },
  {
    id: BUILD,
    displayName: "Build",
    description:
      "This policy will require a successful build has been performed before updating protected refs.",
  },
];

export const policyType = (id: string) => POLICY_TYPES.find((t) => t.id === id.toLowerCase());

interface Scope {
  repositoryId?: string | null;
  refName?: string;
  matchKind?: string;
}

const scopesOf = (p: PolicyConfiguration) =>
  (Array.isArray(p.settings.scope) ? p.settings.scope : []) as Scope[];

/** Does a scope entry cover `refName` of `repo`? No repository means every repository of the project. */
function covers(scope: Scope, repo: AdoRepo, refName: string): boolean {
  if (scope.repositoryId && scope.repositoryId.toLowerCase() !== repo.id) return false;
  const kind = (scope.matchKind ?? "exact").toLowerCase();
  if (kind === "defaultbranch") return refName === `refs/heads/${repo.defaultBranch}`;
  if (kind === "prefix") return refName.startsWith(scope.refName ?? "\u0000");
  return refName === scope.refName;
}

/** The enabled, blocking policies on a branch: while there is one, the branch changes only by pull request. */
export async function blockingPolicies(
  objects: Objects,
  repo: AdoRepo,
  refName: string,
): Promise<PolicyConfiguration[]> {
  const all = await objects.list<PolicyConfiguration>("policy", `${repo.projectId}/`);
  return all.filter((p) => p.isEnabled && p.isBlocking && scopesOf(p).some((s) => covers(s, repo, refName)));
}

export type EvaluationStatus = "approved" | "rejected" | "queued";

export interface Evaluation {
  configuration: PolicyConfiguration;
  status: EvaluationStatus;
}

/**
 * Minimum reviewers: approvals are votes of 5 or 10; the creator's counts only with `creatorVoteCounts`; with
 * `resetOnSourcePush` only votes cast on the current source head count; a rejecting or waiting vote blocks
 * unless `allowDownvotes`.
 */
function reviewers(p: PolicyConfiguration, pr: PullRequest, sourceHead: string): EvaluationStatus {
  const s = p.settings;
  const counted = pr.reviewers.filter(
    (r) =>
      (s.creatorVoteCounts === true || r.user !== pr.createdBy) &&
      (!s.resetOnSourcePush || r.votedOn === sourceHead),
  );
  if (s.allowDownvotes !== true && counted.some((r) => r.vote < 0)) return "rejected";
  return counted.filter((r) => r.vote >= 5).length >= Number(s.minimumApproverCount ?? 1)
    ? "approved"
    : "queued";
}

/**
 * Build validation: a succeeded run of the policy's pipeline on the source head, finished within `validDuration`
 * minutes when that is set (0 means it never expires).
 */
async function build(
  objects: Objects,
  p: PolicyConfiguration,
  sourceHead: string,
): Promise<EvaluationStatus> {
  const runs = await objects.list<Run>(
    "run",
    `${pipelineKey(p.projectId, Number(p.settings.buildDefinitionId))}/`,
  );
  const now = Date.now();
  const validMs = Number(p.settings.validDuration ?? 0) * 60_000;
  const done = runs.filter((r) => r.commitId === sourceHead && Date.parse(r.finishAt) <= now);
  if (done.some((r) => r.outcome === "succeeded" && (!validMs || now - Date.parse(r.finishAt) <= validMs)))
    return "approved";
  return done.length > 0 && done.every((r) => r.outcome === "failed") ? "rejected" : "queued";
}

/** Every blocking policy on the pull request's target branch, evaluated against its source head. */
export async function evaluatePullRequest(
  objects: Objects,
  repo: AdoRepo,
  pr: PullRequest,
  sourceHead: string,
): Promise<Evaluation[]> {
  const evaluations: Evaluation[] = [];
  for (const configuration of await blockingPolicies(objects, repo, pr.targetRefName)) {
    const status =
      configuration.typeId === MINIMUM_REVIEWERS
        ? reviewers(configuration, pr, sourceHead)
        : await build(objects, configuration, sourceHead);
    evaluations.push({ configuration, status });
  }
  return evaluations;
}

/** Why settings do not fit their policy type (TF402457's detail), or undefined when they do. */
export async function settingsProblem(
  objects: Objects,
  org: string,
  projectId: string,
  typeId: string,
  settings: Record<string, unknown>,
): Promise<string | undefined> {
  const scopes = settings.scope;
  if (!Array.isArray(scopes) || scopes.length === 0) return "scope must list at least one entry.";
  const repos = await objects.list<AdoRepo>("repo", `${org.toLowerCase()}/${projectId}/`);
  for (const scope of scopes as Scope[]) {
    const kind = String(scope?.matchKind ?? "exact").toLowerCase();
    if (!["exact", "prefix", "defaultbranch"].includes(kind))
      return "The pull request policy matchType that was provided is not supported";
    if (kind !== "defaultbranch" && !scope.refName?.startsWith("refs/"))
      return "RefName cannot be empty if a matchKind is Exact or Prefix";
    if (scope.repositoryId && !repos.some((r) => r.id === scope.repositoryId?.toLowerCase()))
      return "Only currently existing repositories can be used as repository scopes.";
  }
  if (typeId === MINIMUM_REVIEWERS) {
    const count = settings.minimumApproverCount;
    if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 10)
      return "minimumApproverCount must be an integer from 1 to 10.";
  }
  if (typeId === BUILD) {
    const id = Number(settings.buildDefinitionId);
    if (!Number.isInteger(id) || !(await objects.get<Pipeline>("pipeline", pipelineKey(projectId, id))))
      return `buildDefinitionId ${String(settings.buildDefinitionId)} is not a pipeline of this project.`;
  }
  return undefined;
}
