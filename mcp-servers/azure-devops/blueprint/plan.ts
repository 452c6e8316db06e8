import { finishPlan, type Plan, Planner, type PlanOptions } from "../../shared/planner.ts";
import type { AzureDevOpsFactory, AzureDevOpsOperationName } from "../factory.ts";
import { AzureDevOpsBlueprint } from "./blueprint.ts";
import { planAccess } from "./plan-access.ts";
import { planAgentQueues, planBacklog, planServiceConnections, planVariableGroups } from "./plan-library.ts";
import { planPipelines, planProject, planRepos } from "./plan-project.ts";
import { planBranchPolicies, planEnvironments } from "./plan-protection.ts";

/**
 * Reads the tenant's project and returns the changes that would make it match the blueprint, with no side
 * effects. Order matters at apply: repositories before the pipelines that read their YAML, and groups before
 * their members and permissions.
 */
export async function plan(
  factory: AzureDevOpsFactory,
  input: unknown,
  options: PlanOptions<AzureDevOpsOperationName> = {},
): Promise<Plan<AzureDevOpsOperationName>> {
  const blueprint = AzureDevOpsBlueprint.parse(input);
  const planner = new Planner<AzureDevOpsFactory, AzureDevOpsOperationName>(factory, options.needsApproval);
  return finishPlan(planner, blueprint.project, async () => {
    const exists = await planProject(planner, blueprint);
    await planRepos(planner, blueprint, exists);
    await planPipelines(planner, blueprint, exists);
    await planBranchPolicies(planner, blueprint, exists);
    await planEnvironments(planner, blueprint, exists);
    await planAccess(planner, blueprint, exists);
    await planAgentQueues(planner, blueprint, exists);
    await planVariableGroups(planner, blueprint, exists);
    await planServiceConnections(planner, blueprint, exists);
    await planBacklog(planner, blueprint, exists);
  });
}
