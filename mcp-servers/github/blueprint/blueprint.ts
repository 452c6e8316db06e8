import { z } from "zod";
import { SecretRef } from "../../shared/secret-ref.ts";
import { EnvironmentSettings } from "../operations/environments.ts";
import { FilePath, Org, RepoName } from "../operations/fields.ts";
import { BranchProtection } from "../operations/protection.ts";
import { SecuritySettings } from "../operations/security.ts";
import { RepoPermission } from "../operations/teams.ts";

const Secret = z.object({
  name: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, "UPPER_SNAKE_CASE")
    .describe("the secret's name, e.g. NPM_TOKEN"),
  ref: SecretRef,
});
const Variable = z.object({
  name: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, "UPPER_SNAKE_CASE")
    .describe("the variable's name, e.g. NODE_VERSION"),
  value: z.string().describe("its value (not secret: visible in logs)"),
});

export const RepoBlueprint = z.object({
  name: RepoName,
  description: z.string().max(350).optional().describe("a short description"),
  visibility: z.enum(["private", "public"]).default("private").describe("who can see it"),
  template: z
    .object({ owner: Org, repo: RepoName })
    .optional()
    .describe("generate from this template when created"),
  deleteBranchOnMerge: z
    .boolean()
    .default(true)
    .describe("delete head branches once their pull request merges"),
  allowMergeCommit: z.boolean().default(false).describe("allow merge commits"),
  allowSquashMerge: z.boolean().default(true).describe("allow squash merges"),
  allowRebaseMerge: z.boolean().default(false).describe("allow rebase merges"),
  files: z
    .array(z.object({ path: FilePath, content: z.string().describe("the file's full text") }))
    .default([])
    .describe("files committed to the default branch in one commit (scaffold, workflows, CODEOWNERS)"),
  protection: BranchProtection.extend({
    branch: z.string().default("main").describe("the branch to protect"),
  })
    .optional()
    .describe("protection of the default branch"),
  secrets: z
    .array(Secret)
    .default([])
    .describe("Actions secrets, by reference; one that exists is left alone"),
  variables: z.array(Variable).default([]).describe("Actions variables"),
  environments: z
    .array(EnvironmentSettings.extend({ name: z.string().min(1).describe("e.g. production") }))
    .default([])
    .describe("deployment environments and who approves deployments"),
  security: SecuritySettings.optional().describe("security settings; left as they are when omitted"),
});
export type RepoBlueprint = z.output<typeof RepoBlueprint>;

export const TeamBlueprint = z.object({
  name: z.string().min(1).describe("the team's display name; its slug is derived from it"),
  description: z.string().optional().describe("what the team is for"),
  privacy: z.enum(["closed", "secret"]).default("closed").describe("closed: visible to all members"),
  members: z
    .array(
      z.object({
        user: z.string().min(1).describe("a GitHub login"),
        role: z.enum(["member", "maintainer"]).default("member").describe("their role in the team"),
      }),
    )
    .default([])
    .describe("who is in the team"),
  repos: z
    .array(
      z.object({ repo: RepoName.describe("a repository of this blueprint"), permission: RepoPermission }),
    )
    .default([])
    .describe("the team's roles on the blueprint's repositories"),
});
export type TeamBlueprint = z.output<typeof TeamBlueprint>;

/** The desired state of one GitHub organisation: what `plan()` diffs against and `apply()` makes true. */
export const GitHubBlueprint = z
  .object({
    org: Org,
    repos: z.array(RepoBlueprint).default([]).describe("the repositories and everything in them"),
    teams: z.array(TeamBlueprint).default([]).describe("teams, their members and repository roles"),
    orgSecrets: z
      .array(
        Secret.extend({
          visibility: z
            .enum(["all", "private", "selected"])
            .default("private")
            .describe("which repositories can use it"),
        }),
      )
      .default([])
      .describe("organisation-level Actions secrets, by reference"),
  })
  .superRefine((b, ctx) => {
    const dupes = (names: string[], path: string) => {
      const seen = new Set<string>();
      for (const [i, n] of names.entries()) {
        if (seen.has(n.toLowerCase()))
          ctx.addIssue({ code: "custom", path: [path, i, "name"], message: `${n} appears twice` });
        seen.add(n.toLowerCase());
      }
    };
    dupes(
      b.repos.map((r) => r.name),
      "repos",
    );
    dupes(
      b.teams.map((t) => t.name),
      "teams",
    );
    const repos = new Set(b.repos.map((r) => r.name.toLowerCase()));
    for (const [i, t] of b.teams.entries())
      for (const [j, r] of t.repos.entries())
        if (!repos.has(r.repo.toLowerCase()))
          ctx.addIssue({
            code: "custom",
            path: ["teams", i, "repos", j, "repo"],
            message: `${r.repo} is not in the blueprint`,
          });
  });
export type GitHubBlueprint = z.output<typeof GitHubBlueprint>;
