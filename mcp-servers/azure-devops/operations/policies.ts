import type { PolicyConfiguration } from "azure-devops-node-api/interfaces/PolicyInterfaces.js";
import { z } from "zod";
import type { AzureDevOpsClient } from "../client.ts";
import { AzureDevOpsFactoryError } from "../errors.ts";
import { operation } from "../operation.ts";
import { ProjectName } from "./projects.ts";
import { Branch, requireRepo } from "./repos.ts";

/** Azure DevOps' policy type ids (the same in every organisation). */
export const POLICY_TYPE = {
  minimumReviewers: "fa4e907d-c16b-4a4c-9dfa-4906e5d171dd",
  build: "0609b952-1397-4640-95ec-e00a01b2c241",
} as const;

const BranchRef = z.object({
  project: ProjectName,
  repo: z.string().min(1).max(64).describe("the Git repository's name or id, e.g. acme-app"),
  branch: Branch.default("main").describe("the protected branch, e.g. main"),
});

interface Scope {
  repositoryId?: string | null;
  refName?: string;
  matchKind?: string;
}

/** Does a configuration's scope name exactly this repository's branch? */
const scopedTo = (p: PolicyConfiguration, repositoryId: string, refName: string) =>
  ((p.settings?.scope ?? []) as Scope[]).some(
    (s) =>
      s.repositoryId?.toLowerCase() === repositoryId.toLowerCase() &&
      s.refName === refName &&
      (s.matchKind ?? "exact").toLowerCase() === "exact",
  );

/** Does a configuration apply to this branch at all (exactly, by prefix, or to every repository)? */
const appliesTo = (p: PolicyConfiguration, repositoryId: string, refName: string, defaultBranch?: string) =>
  ((p.settings?.scope ?? []) as Scope[]).some((s) => {
    if (s.repositoryId && s.repositoryId.toLowerCase() !== repositoryId.toLowerCase()) return false;
    const kind = (s.matchKind ?? "exact").toLowerCase();
    if (kind === "defaultbranch") return refName === defaultBranch;
    return kind === "prefix" ? refName.startsWith(s.refName ?? "\u0000") : refName === s.refName;
  });

export interface PolicyOutcome {
  kind: "minimumReviewers" | "build";
  id: number;
  outcome: "created" | "updated" | "unchanged";
}

/**
 * Creates a configuration, or brings the existing one to the wanted settings: `same` says whether it already
 * is. The existing configuration's scope is kept, so a policy shared with other branches stays shared.
 */
async function ensure(
  client: AzureDevOpsClient,
  project: string,
  kind: PolicyOutcome["kind"],
  existing: PolicyConfiguration | undefined,
  wanted: Record<string, unknown>,
  scope: Scope[],
): Promise<PolicyOutcome> {
  const policy = await client.getPolicyApi();
  const same =
    existing?.isEnabled === true &&
    existing.isBlocking === true &&
    Object.entries(wanted).every(([k, v]) => existing.settings?.[k] === v);
  if (existing?.id && same) return { kind, id: existing.id, outcome: "unchanged" };
  const body = {
    isEnabled: true,
    isBlocking: true,
    type: { id: POLICY_TYPE[kind] },
    settings: { ...(existing?.settings ?? {}), ...wanted, scope: existing?.settings?.scope ?? scope },
  };
  if (existing?.id) {
    const updated = await policy.updatePolicyConfiguration(body, project, existing.id);
    return { kind, id: updated.id ?? existing.id, outcome: "updated" };
  }
  const created = await policy.createPolicyConfiguration(body, project);
  return { kind, id: created.id ?? 0, outcome: "created" };
}

export const policyOperations = {
  repos_set_branch_policies: operation({
    name: "repos_set_branch_policies",
    summary:
      "Protect a branch: changes only by pull request, with a minimum number of approving reviewers and optionally a pipeline that must pass (existing policies are updated, never duplicated)",
    write: true,
    input: BranchRef.extend({
      minimumReviewers: z
        .object({
          count: z.number().int().min(1).max(10).describe("how many approvals a pull request needs"),
          creatorVoteCounts: z
            .boolean()
            .default(false)
            .describe("whether the pull request's creator may approve it themself"),
          resetOnSourcePush: z
            .boolean()
            .default(true)
            .describe("whether approvals are reset when the source branch gets new commits"),
          allowDownvotes: z
            .boolean()
            .default(false)
            .describe("whether completion is allowed while a reviewer votes to reject or wait"),
        })
        .describe("the minimum-reviewers policy"),
      buildValidation: z
        .object({
          pipeline: z
            .string()
            .min(1)
            .max(255)
            .describe("the pipeline that must succeed, by name, e.g. acme-app-ci"),
          displayName: z.string().max(255).optional().describe("what the policy is shown as"),
          validDurationMinutes: z
            .number()
            .int()
            .min(0)
            .max(10_080)
            .default(720)
            .describe("how long a succeeded run stays valid; 0 never expires"),
        })
        .optional()
        .describe("a pipeline whose run must succeed on the pull request's source before it completes"),
    }),
    resource: (i) => `${i.project}/${i.repo}@${i.branch}`,
    run: async (client, i) => {
      const op = "repos_set_branch_policies";
      const repo = await requireRepo(client, i.project, i.repo, op);
      const repositoryId = repo.id as string;
      const refName = `refs/heads/${i.branch}`;
      const scope = [{ repositoryId, refName, matchKind: "exact" }];
      const policy = await client.getPolicyApi();
      const ofType = async (typeId: string) =>
        (await policy.getPolicyConfigurations(i.project, undefined, typeId)).filter((p) =>
          scopedTo(p, repositoryId, refName),
        );
      const policies = [
        await ensure(
          client,
          i.project,
          "minimumReviewers",
          (await ofType(POLICY_TYPE.minimumReviewers))[0],
          {
            minimumApproverCount: i.minimumReviewers.count,
            creatorVoteCounts: i.minimumReviewers.creatorVoteCounts,
            resetOnSourcePush: i.minimumReviewers.resetOnSourcePush,
            allowDownvotes: i.minimumReviewers.allowDownvotes,
          },
          scope,
        ),
      ];
      if (i.buildValidation) {
        const name = i.buildValidation.pipeline;
        const pipelines = await (await client.getPipelinesApi()).listPipelines(i.project);
        const pipeline = pipelines.find((p) => p.name?.toLowerCase() === name.toLowerCase());
        if (!pipeline?.id)
          throw new AzureDevOpsFactoryError(
            op,
            `${i.project}/pipelines/${name}`,
            404,
            `pipeline ${name} does not exist`,
            "PipelineNotFoundException",
          );
        const existing = (await ofType(POLICY_TYPE.build)).find(
          (p) => Number(p.settings?.buildDefinitionId) === pipeline.id,
        );
        policies.push(
          await ensure(
            client,
            i.project,
            "build",
            existing,
            {
              buildDefinitionId: pipeline.id,
              displayName: i.buildValidation.displayName ?? name,
              validDuration: i.buildValidation.validDurationMinutes,
              queueOnSourceUpdateOnly: true,
              manualQueueOnly: false,
            },
            scope,
          ),
        );
      }
      return { repositoryId, refName, policies };
    },
  }),

  repos_get_branch_policies: operation({
    name: "repos_get_branch_policies",
    summary: "List the policies that apply to a branch (enabled or not, blocking or not) with their settings",
    write: false,
    input: BranchRef,
    resource: (i) => `${i.project}/${i.repo}@${i.branch}`,
    run: async (client, i) => {
      const repo = await requireRepo(client, i.project, i.repo, "repos_get_branch_policies");
      const refName = `refs/heads/${i.branch}`;
      const all = await (await client.getPolicyApi()).getPolicyConfigurations(i.project);
      return all
        .filter((p) => appliesTo(p, repo.id as string, refName, repo.defaultBranch))
        .map((p) => ({
          id: p.id ?? 0,
          typeId: p.type?.id ?? "",
          type: p.type?.displayName ?? "",
          isEnabled: p.isEnabled === true,
          isBlocking: p.isBlocking === true,
          settings: p.settings as Record<string, unknown>,
        }));
    },
  }),
};
