import { z } from "zod";
import { SecretRef } from "../../shared/secret-ref.ts";
import { EnvironmentSettings } from "../operations/environments.ts";
import { FilePath, Org, RepoName } from "../operations/fields.ts";
import { BranchProtection } from "../operations/protection.ts";
import { SecuritySettings } from "../operations/security.ts";
import { RepoPermission } from "../operations/teams.ts";

const Secret = z.object({ name: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "UPPER_SNAKE_CASE"), ref: SecretRef });
const Variable = z.object({
  name: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "UPPER_SNAKE_CASE"),
  value: z.string(),
});

export const RepoBlueprint = z.object({
  name: RepoName,
  description: z.string().max(350).optional(),
  visibility: z.enum(["private", "public"]).default("private"),
  template: z
    .object({ owner: Org, repo: RepoName })
    .optional()
    .describe("generate from this template when created"),
  deleteBranchOnMerge: z.boolean().default(true),
  allowMergeCommit: z.boolean().default(false),
  allowSquashMerge: z.boolean().default(true),
  allowRebaseMerge: z.boolean().default(false),
  files: z
    .array(z.object({ path: FilePath, content: z.string() }))
    .default([])
    .describe("files committed to the default branch in one commit (scaffold, workflows, CODEOWNERS)"),
  protection: BranchProtection.extend({ branch: z.string().default("main") }).optional(),
  secrets: z.array(Secret).default([]),
  variables: z.array(Variable).default([]),
  environments: z.array(EnvironmentSettings.extend({ name: z.string().min(1) })).default([]),
  security: SecuritySettings.optional(),
});
export type RepoBlueprint = z.output<typeof RepoBlueprint>;

export const TeamBlueprint = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  privacy: z.enum(["closed", "secret"]).default("closed"),
  members: z
    .array(z.object({ user: z.string().min(1), role: z.enum(["member", "maintainer"]).default("member") }))
    .default([]),
  repos: z.array(z.object({ repo: RepoName, permission: RepoPermission })).default([]),
});
export type TeamBlueprint = z.output<typeof TeamBlueprint>;

/** The desired state of one GitHub organisation: what `plan()` diffs against and `apply()` makes true. */
export const GitHubBlueprint = z
  .object({
    org: Org,
    repos: z.array(RepoBlueprint).default([]),
    teams: z.array(TeamBlueprint).default([]),
    orgSecrets: z
      .array(Secret.extend({ visibility: z.enum(["all", "private", "selected"]).default("private") }))
      .default([]),
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
