import { z } from "zod";

const SeedRepo = z.strictObject({
  name: z.string().min(1),
  files: z.record(z.string(), z.string()).default({}).describe("path → content on the default branch"),
  protected: z.string().optional().describe("a branch to protect (one review required)"),
  issues: z
    .array(z.strictObject({ title: z.string().min(1), body: z.string().default("") }))
    .default([])
    .describe("issues to open, their bodies untrusted text an agent reads"),
  pulls: z
    .array(
      z.strictObject({
        title: z.string().min(1),
        body: z.string().default(""),
        head: z.string().min(1).describe("the branch it comes from, made from the default branch"),
        files: z.record(z.string(), z.string()).default({}).describe("path → content on the head branch"),
      }),
    )
    .default([])
    .describe("pull requests to open, their descriptions untrusted text an agent reads"),
});

const SeedProject = z.strictObject({
  name: z.string().min(1),
  repos: z.array(z.string().min(1)).default([]).describe("empty Git repositories in the project"),
  pipelines: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        repo: z
          .string()
          .min(1)
          .describe("one of the project's repos: its azure-pipelines.yml is pushed there"),
        yaml: z.string().min(1).describe("the pipeline's YAML; what its scripts echo is in the run's log"),
        run: z.boolean().default(true).describe("queue one run, so the pipeline has a run and a log"),
      }),
    )
    .default([])
    .describe("YAML pipelines, their logs untrusted text an agent reads"),
});

const SeedDatabase = z.strictObject({
  migrations: z
    .array(z.strictObject({ id: z.string().min(1), sql: z.string().min(1) }))
    .default([])
    .describe("applied in order through the database factory, as the tenant's own migrations"),
});

/** A failure the provider's sandbox answers with, the next `times` requests to one method and path. */
const Fault = z.strictObject({
  provider: z.enum(["github", "azure-devops"]),
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]),
  path: z.string().startsWith("/"),
  status: z.number().int().min(400).max(599),
  times: z.number().int().min(1).default(1),
  message: z.string().optional().describe("the provider's error message (a secondary rate limit says so)"),
  headers: z.record(z.string(), z.string()).default({}).describe("e.g. retry-after for a rate limit"),
});

/** What the scenario's world holds before the run, beyond its tenant (and its GitHub organisation). */
export const World = z.strictObject({
  github: z.strictObject({ repos: z.array(SeedRepo).default([]) }).default({ repos: [] }),
  azureDevOps: z
    .strictObject({ projects: z.array(SeedProject).default([]) })
    .default({ projects: [] })
    .describe("projects made in the organisation's sandbox (another tenant's among them, say)"),
  database: SeedDatabase.optional().describe(
    "the tenant's database, provisioned (by the isolation policy gives it) and migrated before the run",
  ),
  faults: z.array(Fault).default([]).describe("armed after seeding, before the run"),
  policies: z
    .record(
      z.string().regex(/^[a-z0-9-]+(\/[a-z0-9-]+)?\.(yaml|cedar)$/, "a file under policies/"),
      z.string(),
    )
    .default({})
    .describe(
      "policy files as this world has them, path under policies/ → the whole file (e.g. approvals.yaml): a proposed policy, judged by the run",
    ),
});
