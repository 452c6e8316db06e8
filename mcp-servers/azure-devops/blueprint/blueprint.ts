import { z } from "zod";
import { SecretRef } from "../../shared/secret-ref.ts";
import { Backlog } from "../operations/boards.ts";
import { ProjectName } from "../operations/projects.ts";
import { Path, RepoName } from "../operations/repos.ts";
import { GroupName } from "../operations/security.ts";

const Person = z.email().describe("a person's principal name, e.g. ada@acme.com");

const Variable = z.union([
  z.object({ value: z.string().describe("a plain value") }),
  z.object({ secret: SecretRef }).describe("a secret variable, by reference"),
]);

/** The groups Azure DevOps creates with every project. */
const BUILT_IN_GROUPS = [
  "Project Administrators",
  "Contributors",
  "Readers",
  "Build Administrators",
  "Project Valid Users",
];

/** A startup tenant's Azure DevOps project, as it should be. Secrets only by reference. */
export const AzureDevOpsBlueprint = z
  .object({
    project: ProjectName,
    description: z.string().max(1000).default("").describe("what the startup does"),
    team: z
      .object({
        founder: z.array(Person).default([]).describe("project administrators"),
        dev: z.array(Person).default([]).describe("contributors"),
        sec: z.array(Person).default([]).describe("readers"),
        finance: z.array(Person).default([]).describe("members of the reporting group"),
      })
      .default({ founder: [], dev: [], sec: [], finance: [] })
      .describe(
        "people per persona: founder → Project Administrators, dev → Contributors, sec → Readers, finance → the reporting group",
      ),
    reportingGroup: GroupName.default("Reporting"),
    repos: z
      .array(
        z.object({
          name: RepoName,
          files: z
            .array(z.object({ path: Path, content: z.string().describe("the file's text") }))
            .default([])
            .describe("committed to main in one push: the scaffold and pipeline YAML"),
          policies: z
            .object({
              branch: z.string().min(1).default("main").describe("the branch to protect"),
              minimumReviewers: z.number().int().min(1).max(10).describe("approvals a pull request needs"),
              buildValidation: z
                .string()
                .min(1)
                .optional()
                .describe("a pipeline of the blueprint that must pass"),
            })
            .optional()
            .describe("protect the branch once scaffolded: pull requests only, reviewers, a passing build"),
        }),
      )
      .default([])
      .describe("the Git repositories, each with its first files and optional branch protection"),
    pipelines: z
      .array(
        z.object({
          name: z.string().min(1).max(255).describe("the pipeline's name, e.g. acme-app-ci"),
          repo: RepoName,
          yamlPath: Path.default("azure-pipelines.yml"),
          firstRun: z.boolean().default(true).describe("queue a first run once it exists"),
        }),
      )
      .default([])
      .describe("YAML pipelines over the blueprint's repositories"),
    permissions: z
      .array(
        z.object({
          group: GroupName,
          on: z.enum(["repositories", "pipelines"]).describe("what the permissions are on"),
          name: z
            .string()
            .min(1)
            .optional()
            .describe("one repository or pipeline by name; omitted, every one in the project"),
          allow: z.array(z.string()).default([]).describe("permissions to allow, e.g. Read, Contribute"),
          deny: z.array(z.string()).default([]).describe("permissions to deny, e.g. ForcePush"),
        }),
      )
      .default([])
      .describe("explicit permissions of built-in groups or the reporting group"),
    environments: z
      .array(
        z.object({
          name: z.string().min(1).max(128).describe("the environment's name, e.g. production"),
          approvers: z.array(z.uuid()).default([]).describe("identity ids who must approve deployments"),
          minRequiredApprovers: z
            .number()
            .int()
            .min(0)
            .default(0)
            .describe("how many of them must approve; 0 means every one"),
        }),
      )
      .default([])
      .describe("deployment environments, with approval checks when approvers are given"),
    agentQueues: z
      .array(
        z.object({
          pool: z.string().min(1).max(64).describe("the organisation agent pool (created when missing)"),
          authorizePipelines: z
            .boolean()
            .default(false)
            .describe("let every pipeline use the queue without asking"),
        }),
      )
      .default([])
      .describe("project queues on agent pools for self-hosted agents"),
    variableGroups: z
      .array(
        z.object({
          name: z.string().min(1).max(255).describe("the group's name, e.g. acme-app-settings"),
          description: z.string().max(1000).default("").describe("what the settings are for"),
          variables: z
            .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, "letters, digits, _ and ."), Variable)
            .describe("name → a plain value or a secret by reference"),
        }),
      )
      .default([])
      .describe("variable groups pipelines read"),
    serviceConnections: z
      .array(
        z.object({
          name: z.string().min(1).max(255).describe("the connection's name, e.g. acme-azure"),
          type: z
            .enum(["azurerm", "generic", "github", "dockerregistry", "kubernetes"])
            .describe("the kind of service"),
          url: z.url().describe("the service's URL"),
          scheme: z.string().min(1).describe("the authorization scheme, e.g. ServicePrincipal"),
          parameters: z
            .record(
              z.string(),
              z.union([
                z.object({ value: z.string().describe("a plain value") }),
                z.object({ secret: SecretRef }).describe("a secret, by reference"),
              ]),
            )
            .default({})
            .describe("the scheme's parameters; secrets by reference"),
        }),
      )
      .default([])
      .describe("the credentials pipelines use to reach other services"),
    backlog: Backlog,
  })
  .superRefine((b, ctx) => {
    const groups = new Set([...BUILT_IN_GROUPS, b.reportingGroup].map((g) => g.toLowerCase()));
    b.permissions.forEach((p, i) => {
      if (!groups.has(p.group.toLowerCase()))
        ctx.addIssue({
          code: "custom",
          path: ["permissions", i, "group"],
          message: `${p.group} is neither a built-in group nor the reporting group`,
        });
    });
    const repos = new Set(b.repos.map((r) => r.name.toLowerCase()));
    const pipelines = new Set(b.pipelines.map((p) => p.name.toLowerCase()));
    b.repos.forEach((r, i) => {
      const build = r.policies?.buildValidation;
      if (build && !pipelines.has(build.toLowerCase()))
        ctx.addIssue({
          code: "custom",
          path: ["repos", i, "policies", "buildValidation"],
          message: `${build} is not one of the blueprint's pipelines`,
        });
    });
    b.pipelines.forEach((p, i) => {
      if (!repos.has(p.repo.toLowerCase()))
        ctx.addIssue({
          code: "custom",
          path: ["pipelines", i, "repo"],
          message: `${p.repo} is not one of the blueprint's repos`,
        });
    });
  });
export type AzureDevOpsBlueprint = z.output<typeof AzureDevOpsBlueprint>;
