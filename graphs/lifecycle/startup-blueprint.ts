import { z } from "zod";

const ChildPersona = z.enum(["dev", "ops", "sec", "finance"]);

/** What each child persona does when a blueprint does not say. */
export const DEFAULT_TEAM = [
  {
    persona: "dev",
    task: "Scaffold each repository's service and its CI workflow through a branch and a pull request.",
  },
  {
    persona: "sec",
    task: "Turn on secret scanning and Dependabot on every repository, and review the open pull requests.",
  },
  { persona: "finance", task: "Report the model spend and provider resources against budgets and quotas." },
] as const;

/**
 * A startup as a whole: the tenant, what it builds, its GitHub organisation and Azure DevOps project (each a
 * blueprint its own server validates when it plans), its database, and the team's first tasks.
 */
export const StartupBlueprint = z.strictObject({
  tenant: z
    .string()
    .regex(/^[a-z][a-z0-9]{1,30}$/, "must be 2-31 lowercase letters or digits, starting with a letter"),
  name: z.string().min(1).max(100).describe("the startup's name"),
  product: z.string().max(2000).default("").describe("what it builds, for whom"),
  github: z.record(z.string(), z.unknown()).optional().describe("a GitHub blueprint: org, repos, teams"),
  azureDevOps: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("an Azure DevOps blueprint: project, team, repos, pipelines"),
  database: z.boolean().default(true).describe("provision the tenant's database"),
  team: z
    .array(z.strictObject({ persona: ChildPersona, task: z.string().min(1).max(2000) }))
    .default(DEFAULT_TEAM.map((t) => ({ ...t }))),
});
export type StartupBlueprint = z.output<typeof StartupBlueprint>;
export type StartupBlueprintInput = z.input<typeof StartupBlueprint>;
