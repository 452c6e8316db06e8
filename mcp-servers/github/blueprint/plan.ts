import type { GitHubFactory, GitHubOperationName } from "../factory.ts";
import { GitHubBlueprint } from "./blueprint.ts";
import { planRepo } from "./plan-repo.ts";
import { planOrgSecrets, planTeam, planTeamRepoRoles } from "./plan-team.ts";
import { Planner, type PlanStep } from "./planner.ts";

export type { PlanStep };

export interface Plan {
  org: string;
  steps: PlanStep[];
  /** Resources already as the blueprint says. */
  unchanged: string[];
  /** Provider calls made to read the current state. */
  readCalls: number;
  /** Provider calls the steps will make, estimated. */
  writeCalls: number;
}

export interface PlanOptions {
  /** Whether policy holds this step for approval (the controller's decision, asked per tool and resource). */
  needsApproval?: (tool: GitHubOperationName, resource: string) => boolean;
}

/** Counts the HTTP requests a factory sends while `work` runs (one plan or apply at a time per factory). */
export async function countingCalls<T>(
  factory: GitHubFactory,
  work: () => Promise<T>,
): Promise<{ result: T; calls: number }> {
  const before = factory.requests;
  const result = await work();
  return { result, calls: factory.requests - before };
}

/**
 * Reads the organisation and returns the changes that would make it match the blueprint, with no side
 * effects. Teams come first (environments name them as reviewers), their repository roles last.
 */
export async function plan(factory: GitHubFactory, input: unknown, options: PlanOptions = {}): Promise<Plan> {
  const blueprint = GitHubBlueprint.parse(input);
  const planner = new Planner(factory, options.needsApproval);
  const { calls: readCalls } = await countingCalls(factory, async () => {
    const teams: boolean[] = [];
    for (const team of blueprint.teams) teams.push(await planTeam(planner, blueprint.org, team));
    for (const repo of blueprint.repos) await planRepo(planner, blueprint.org, repo);
    for (const [i, team] of blueprint.teams.entries())
      await planTeamRepoRoles(planner, blueprint.org, team, teams[i] === true);
    await planOrgSecrets(planner, blueprint);
  });
  const { steps, unchanged } = planner;
  return {
    org: blueprint.org,
    steps,
    unchanged,
    readCalls,
    writeCalls: steps.reduce((n, s) => n + s.calls, 0),
  };
}
