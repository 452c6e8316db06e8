import { POLICY_TYPE } from "../operations/policies.ts";
import type { AzureDevOpsBlueprint } from "./blueprint.ts";
import type { AdoPlanner } from "./planner.ts";

/**
 * Each repository's branch policies, planned after its scaffold and pipelines: once a branch is protected,
 * changes reach it only by pull request, so the blueprint's own first push must come before.
 */
export async function planBranchPolicies(
  p: AdoPlanner,
  b: AzureDevOpsBlueprint,
  projectExists: boolean,
): Promise<void> {
  for (const repo of b.repos) {
    if (!repo.policies) continue;
    const ref = { project: b.project, repo: repo.name, branch: repo.policies.branch };
    const repoExists = projectExists && (await p.factory.call("repos_get_repository", ref)) !== null;
    const current = repoExists ? await p.factory.call("repos_get_branch_policies", ref) : [];
    const active = current.filter((c) => c.isEnabled && c.isBlocking);
    const reviewers = active.find((c) => c.typeId === POLICY_TYPE.minimumReviewers)?.settings
      .minimumApproverCount;
    const build = repo.policies.buildValidation;
    const hasBuild =
      !build || active.some((c) => c.typeId === POLICY_TYPE.build && c.settings.displayName === build);
    const changes = {
      ...(reviewers === repo.policies.minimumReviewers
        ? {}
        : { minimumReviewers: [reviewers ?? null, repo.policies.minimumReviewers] }),
      ...(hasBuild ? {} : { buildValidation: [null, build] }),
    };
    p.settle(
      `${b.project}/${repo.name}@${repo.policies.branch}/policies`,
      current.length > 0,
      p.when(changes, {
        tool: "repos_set_branch_policies",
        input: {
          ...ref,
          minimumReviewers: { count: repo.policies.minimumReviewers },
          ...(build ? { buildValidation: { pipeline: build } } : {}),
        },
        calls: 6,
      }),
    );
  }
}

/** Each deployment environment, and its approval check when it names approvers. */
export async function planEnvironments(
  p: AdoPlanner,
  b: AzureDevOpsBlueprint,
  projectExists: boolean,
): Promise<void> {
  for (const env of b.environments) {
    const ref = { project: b.project, environment: env.name };
    const current = projectExists ? await p.factory.call("pipelines_get_environment", ref) : null;
    p.settle(
      `${b.project}/environments/${env.name}`,
      current !== null,
      current
        ? undefined
        : {
            tool: "pipelines_create_environment",
            input: ref,
            changes: { environment: [null, env.name] },
            calls: 2,
          },
    );
    if (env.approvers.length === 0) continue;
    const checks = current ? await p.factory.call("pipelines_list_environment_checks", ref) : [];
    const approval = checks.find((c) => c.type === "Approval");
    const changes = approval
      ? {
          ...(JSON.stringify([...approval.approvers].sort()) === JSON.stringify([...env.approvers].sort())
            ? {}
            : { approvers: [approval.approvers, env.approvers] }),
          ...(approval.minRequiredApprovers === env.minRequiredApprovers
            ? {}
            : { minRequiredApprovers: [approval.minRequiredApprovers, env.minRequiredApprovers] }),
        }
      : { approval: [null, env.approvers] };
    p.settle(
      `${b.project}/environments/${env.name}/checks/approval`,
      approval !== undefined,
      p.when(changes, {
        tool: "pipelines_set_environment_approval",
        input: { ...ref, approvers: env.approvers, minRequiredApprovers: env.minRequiredApprovers },
        calls: 4,
      }),
    );
  }
}
