import { z } from "zod";
import { SecretRef } from "../../shared/secret-ref.ts";
import { Backlog } from "../operations/boards.ts";
import { ProjectName } from "../operations/projects.ts";
import { Path, RepoName } from "../operations/repos.ts";
import { GroupName } from "../operations/security.ts";

const Person = z.email().describe("a person's principal name, e.g. ada@acme.com");

const Variable = z.union([
  z.object({ value: z.string() }),
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
    description: z.string().max(1000).default(""),
    team: z
      .object({
        founder: z.array(Person).default([]),
        dev: z.array(Person).default([]),
        sec: z.array(Person).default([]),
        finance: z.array(Person).default([]),
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
            .array(z.object({ path: Path, content: z.string() }))
            .default([])
            .describe("committed to main in one push: the scaffold and pipeline YAML"),
          policies: z
            .object({
              branch: z.string().min(1).default("main"),
              minimumReviewers: z.number().int().min(1).max(10),
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
      .default([]),
    pipelines: z
      .array(
        z.object({
          name: z.string().min(1).max(255),
          repo: RepoName,
          yamlPath: Path.default("azure-pipelines.yml"),
          firstRun: z.boolean().default(true).describe("queue a first run once it exists"),
        }),
      )
      .default([]),
    permissions: z
      .array(
        z.object({
          group: GroupName,
          on: z.enum(["repositories", "pipelines"]),
          name: z.string().min(1).optional(),
          allow: z.array(z.string()).default([]),
          deny: z.array(z.string()).default([]),
        }),
      )
      .default([]),
    environments: z
      .array(
        z.object({
          name: z.string().min(1).max(128),
          approvers: z.array(z.uuid()).default([]).describe("identity ids who must approve deployments"),
          minRequiredApprovers: z.number().int().min(0).default(0),
        }),
      )
      .default([]),
    agentQueues: z
      .array(z.object({ pool: z.string().min(1).max(64), authorizePipelines: z.boolean().default(false) }))
      .default([]),
    variableGroups: z
      .array(
        z.object({
          name: z.string().min(1).max(255),
          description: z.string().max(1000).default(""),
          variables: z.record(
            z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, "letters, digits, _ and ."),
            Variable,
          ),
        }),
      )
      .default([]),
    serviceConnections: z
      .array(
        z.object({
          name: z.string().min(1).max(255),
          type: z.enum(["azurerm", "generic", "github", "dockerregistry", "kubernetes"]),
          url: z.url(),
          scheme: z.string().min(1),
          parameters: z
            .record(z.string(), z.union([z.object({ value: z.string() }), z.object({ secret: SecretRef })]))
            .default({}),
        }),
      )
      .default([]),
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
