import { z } from "zod";
import { hasStatus, operation } from "../operation.ts";
import { Org, RepoName, repoResource } from "./fields.ts";

const EnvName = z.string().min(1).max(255).describe("the environment's name, e.g. production");

export const EnvironmentSettings = z.object({
  waitTimerMinutes: z
    .number()
    .int()
    .min(0)
    .max(43_200)
    .default(0)
    .describe("minutes to wait before a deployment proceeds"),
  reviewers: z
    .array(
      z.union([
        z.object({ user: z.string().min(1).describe("a reviewer's GitHub login") }),
        z.object({ team: z.string().min(1).describe("a reviewing team's slug") }),
      ]),
    )
    .max(6)
    .default([])
    .describe("who must approve deployments: users by login, teams by slug"),
  preventSelfReview: z.boolean().default(true).describe("whoever triggered a deployment cannot approve it"),
  protectedBranchesOnly: z.boolean().default(true).describe("only protected branches may deploy"),
});

export const environmentOperations = {
  environments_set_environment: operation({
    name: "environments_set_environment",
    summary: "Create or update a deployment environment with required reviewers and a branch policy",
    write: true,
    input: EnvironmentSettings.extend({ owner: Org, repo: RepoName, name: EnvName }),
    resource: (i) => `${repoResource(i)}/environments/${i.name}`,
    run: async (client, i) => {
      const reviewers = await Promise.all(
        i.reviewers.map(async (r) =>
          "user" in r
            ? {
                type: "User" as const,
                id: (await client.rest.users.getByUsername({ username: r.user })).data.id,
              }
            : {
                type: "Team" as const,
                id: (await client.rest.teams.getByName({ org: i.owner, team_slug: r.team })).data.id,
              },
        ),
      );
      const { data } = await client.rest.repos.createOrUpdateEnvironment({
        owner: i.owner,
        repo: i.repo,
        environment_name: i.name,
        wait_timer: i.waitTimerMinutes,
        prevent_self_review: i.preventSelfReview,
        reviewers,
        deployment_branch_policy: i.protectedBranchesOnly
          ? { protected_branches: true, custom_branch_policies: false }
          : null,
      });
      return { name: data.name, rules: (data.protection_rules ?? []).map((r) => r.type) };
    },
  }),

  environments_get_environment: operation({
    name: "environments_get_environment",
    summary: "Get a deployment environment's protection rules, or null when there is none",
    write: false,
    input: z.object({ owner: Org, repo: RepoName, name: EnvName }),
    resource: (i) => `${repoResource(i)}/environments/${i.name}`,
    run: async (client, i) => {
      try {
        const { data } = await client.rest.repos.getEnvironment({
          owner: i.owner,
          repo: i.repo,
          environment_name: i.name,
        });
        const rules = data.protection_rules ?? [];
        const reviewers = rules.flatMap((r) =>
          "reviewers" in r && Array.isArray(r.reviewers)
            ? r.reviewers.map((v) =>
                v.type === "Team"
                  ? { team: (v.reviewer as { slug: string }).slug }
                  : { user: (v.reviewer as { login: string }).login },
              )
            : [],
        );
        const wait = rules.find((r) => r.type === "wait_timer") as { wait_timer?: number } | undefined;
        const review = rules.find((r) => r.type === "required_reviewers") as
          | { prevent_self_review?: boolean }
          | undefined;
        return {
          name: data.name,
          waitTimerMinutes: wait?.wait_timer ?? 0,
          reviewers,
          preventSelfReview: review?.prevent_self_review ?? false,
          protectedBranchesOnly: data.deployment_branch_policy?.protected_branches === true,
        };
      } catch (error) {
        if (hasStatus(error, 404)) return null;
        throw error;
      }
    },
  }),
};
