import { finishPlan, type Plan, Planner, type PlanOptions } from "../../shared/planner.ts";
import type { GitHubFactory, GitHubOperationName } from "../factory.ts";
import { GitHubBlueprint } from "./blueprint.ts";
import { planRepo } from "./plan-repo.ts";
import { planOrgSecrets, planTeam, planTeamRepoRoles } from "./plan-team.ts";

/**
 * Reads the organisation and returns the changes that would make it match the blueprint, with no side
 * effects. Teams come first (environments name them as reviewers), their repository roles last.
 */
export async function plan(
  factory: GitHubFactory,
  input: unknown,
  options: PlanOptions<GitHubOperationName> = {},
): Promise<Plan<GitHubOperationName>> {
  const blueprint = GitHubBlueprint.parse(input);
  const planner = new Planner<GitHubFactory, GitHubOperationName>(factory, options.needsApproval);
  return finishPlan(planner, blueprint.org, async () => {
    const teams: boolean[] = [];
    for (const team of blueprint.teams) teams.push(await planTeam(planner, blueprint.org, team));
    for (const repo of blueprint.repos) await planRepo(planner, blueprint.org, repo);
    for (const [i, team] of blueprint.teams.entries())
      await planTeamRepoRoles(planner, blueprint.org, team, teams[i] === true);
    await planOrgSecrets(planner, blueprint);
  });
}
