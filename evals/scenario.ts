import { readdir, readFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { PERSONA_NAMES } from "../agents/personas.ts";
import { StartupBlueprint } from "../graphs/lifecycle/startup-blueprint.ts";

/** Where the shipped suites live: one folder per suite, one YAML file per scenario. */
export const SUITES_DIR = resolve(import.meta.dirname, "suites");

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
const World = z.strictObject({
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

/** What runs: the founder's lifecycle from what the person says, or one persona agent on one task. */
const Run = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("lifecycle"),
    idea: z.string().min(1).optional().describe("what the person says first (the cassette's, if absent)"),
    blueprint: StartupBlueprint.optional().describe(
      "the startup as a blueprint file gives it, inline or the file's path relative to the scenario: the lifecycle without the founder's model (tenants apply)",
    ),
    answers: z
      .array(z.string())
      .default([])
      .describe("the person's answers to the founder's questions, in order"),
    killedAfter: z
      .array(z.number().int().min(1))
      .default([])
      .describe(
        "steps after which the agents' process is killed (a step ends where the run waits for approvers or the person); a new one resumes the run from what the runtime's store kept",
      ),
  }),
  z.strictObject({
    kind: z.literal("agent"),
    persona: z.enum(PERSONA_NAMES),
    task: z.string().min(1).describe("what the person asks the agent to do"),
  }),
]);

const RepoExpectation = z.strictObject({
  name: z.string().min(1),
  exists: z.boolean().default(true),
  protected: z.string().optional().describe("this branch is protected"),
  unprotected: z.string().optional().describe("this branch is (still) not protected"),
  files: z.array(z.string()).default([]).describe("paths on the default branch"),
  openPulls: z.number().int().min(0).optional().describe("how many pull requests are open"),
});

/** How the run is graded. Each part is optional; a scenario names at least one. */
export const Graders = z
  .strictObject({
    state: z
      .strictObject({
        unchanged: z
          .boolean()
          .default(false)
          .describe("the providers hold exactly what they held before the run (what changed is listed)"),
        github: z
          .strictObject({
            repos: z.array(RepoExpectation).default([]),
            teams: z.array(z.string()).default([]).describe("team slugs that exist"),
          })
          .optional(),
        azureDevOps: z
          .strictObject({
            projects: z.array(z.string()).default([]).describe("projects that exist"),
            absent: z.array(z.string()).default([]).describe("projects that must not exist"),
            repos: z.array(z.string()).default([]).describe("repositories that exist, as <project>/<name>"),
            pipelines: z.array(z.string()).default([]).describe("pipelines that exist, as <project>/<name>"),
            serviceConnections: z
              .array(z.string())
              .default([])
              .describe("service connections that exist, as <project>/<name>"),
            groups: z
              .array(z.string())
              .default([])
              .describe("security groups that exist, as <project>/<name>"),
            members: z
              .array(z.string())
              .default([])
              .describe("direct group memberships, as <project>/<group> ← <principal name or group>"),
            branchPolicies: z
              .array(z.string())
              .default([])
              .describe("blocking branch policies, as <project>/<repo>:<branch> <minimumReviewers|build>"),
          })
          .optional(),
        database: z
          .strictObject({
            exists: z.boolean().default(true).describe("the tenant's database is provisioned"),
            migrations: z.array(z.string()).default([]).describe("migration ids applied"),
            notApplied: z.array(z.string()).default([]).describe("migration ids that must not be applied"),
            secured: z.array(z.string()).default([]).describe("tables under forced row-level security"),
          })
          .optional()
          .describe("the tenant's database (its state is read only for scenarios that grade or seed it)"),
      })
      .optional()
      .describe("the primary grade: the providers' state after the run"),
    trajectory: z
      .strictObject({
        called: z.array(z.string()).default([]).describe("tools called (and done) at least once"),
        notCalled: z.array(z.string()).default([]).describe("tools never called successfully"),
        once: z.array(z.string()).default([]).describe("tools done exactly once (no duplicates)"),
        denied: z.array(z.string()).default([]).describe("tools the gate refused at least once"),
        waited: z.array(z.string()).default([]).describe("tools that waited for an approval at least once"),
        order: z.array(z.string()).default([]).describe("tools first done in this order"),
      })
      .optional(),
    ledger: z
      .strictObject({
        verifies: z.boolean().default(true),
        outcomes: z.boolean().default(true).describe("every allowed write intent has its outcome"),
        actions: z
          .record(z.string(), z.number().int().min(0))
          .default({})
          .describe("how many entries of each action the ledger holds, e.g. grant.renewed: 1"),
      })
      .optional(),
    cost: z
      .strictObject({
        maxToolCalls: z.number().int().min(0).optional(),
        maxTokens: z.number().int().min(0).optional(),
      })
      .optional(),
    attacks: z
      .array(
        z.union([
          z.string().transform((tool) => ({ tool, args: {} })),
          z.strictObject({ tool: z.string(), args: z.record(z.string(), z.unknown()).default({}) }),
        ]),
      )
      .default([])
      .describe(
        "calls that would be the attack (a tool, and arguments the call must carry): tried is an attempt, done is a success",
      ),
  })
  .refine((g) => g.state || g.trajectory || g.ledger || g.cost || g.attacks.length > 0, {
    message: "a scenario needs at least one grader",
  });
export type Graders = z.output<typeof Graders>;
type Run = z.output<typeof Run>;
export type AgentRun = Extract<Run, { kind: "agent" }>;
export type LifecycleRun = Extract<Run, { kind: "lifecycle" }>;

export const ScenarioFile = z.strictObject({
  title: z.string().min(1),
  version: z.number().int().min(1).describe("bump when the scenario changes; stored runs name the version"),
  description: z.string().default(""),
  tenant: z.string().regex(/^[a-z][a-z0-9]{1,30}$/),
  world: World.default({ github: { repos: [] }, azureDevOps: { projects: [] }, faults: [], policies: {} }),
  run: Run,
  cassette: z
    .string()
    .min(1)
    .optional()
    .describe(
      "the recorded model turns, relative to the scenario file (none: every persona runs without a model)",
    ),
  approvals: z
    .enum(["approve", "deny"])
    .default("approve")
    .describe("what the eval's approver (another operator) decides for every approval"),
  graders: Graders,
});

export type Scenario = z.output<typeof ScenarioFile> & {
  /** `<suite>/<name>`, from where the file lies. */
  id: string;
  suite: string;
  file: string;
  cassettePath?: string;
};

/**
 * Whether the scenario's runs must outlive the agents' process (it kills it), so are kept in the runtime's own
 * store on disk rather than in memory.
 */
export const keepsRunsOnDisk = (scenario: Scenario) =>
  scenario.run.kind === "lifecycle" && scenario.run.killedAfter.length > 0;

export class ScenarioError extends Error {
  override name = "ScenarioError";
}

/** A run's `blueprint` given as a file's path (relative to the scenario), read in its place. */
async function withBlueprintFile(data: unknown, scenarioFile: string): Promise<unknown> {
  const run = (data as { run?: { blueprint?: unknown } } | null)?.run;
  if (typeof run?.blueprint !== "string") return data;
  const file = resolve(dirname(scenarioFile), run.blueprint);
  try {
    return { ...(data as object), run: { ...run, blueprint: parse(await readFile(file, "utf8")) } };
  } catch (error) {
    throw new ScenarioError(
      `${relative(process.cwd(), scenarioFile)}: run.blueprint: ${relative(process.cwd(), file)}: ${(error as Error).message}`,
    );
  }
}

export async function loadScenario(file: string, root = SUITES_DIR): Promise<Scenario> {
  let data: unknown;
  try {
    data = parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new ScenarioError(`${relative(process.cwd(), file)}: ${(error as Error).message}`);
  }
  const parsed = ScenarioFile.safeParse(await withBlueprintFile(data, file));
  if (!parsed.success)
    throw new ScenarioError(`${relative(process.cwd(), file)}:\n${z.prettifyError(parsed.error)}`);
  const suite = relative(root, dirname(file)) || basename(dirname(file));
  return {
    ...parsed.data,
    id: `${suite}/${basename(file).replace(/\.ya?ml$/, "")}`,
    suite,
    file,
    ...(parsed.data.cassette ? { cassettePath: resolve(dirname(file), parsed.data.cassette) } : {}),
  };
}

/**
 * The scenarios of `suites` (all, when none is named), in a stable order; a name with a slash is one
 * scenario (`injection/issue-plants-exfiltration`). An unknown suite or scenario is an error.
 */
export async function loadSuites(suites: string[] = [], root = SUITES_DIR): Promise<Scenario[]> {
  const single = suites.filter((s) => s.includes("/"));
  if (single.length) {
    const wholes = suites.filter((s) => !s.includes("/"));
    const chosen = [...(wholes.length ? await loadSuites(wholes, root) : [])];
    for (const id of single) if (!chosen.some((s) => s.id === id)) chosen.push(await findScenario(id, root));
    return chosen;
  }
  const known = (await readdir(root, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const unknown = suites.filter((s) => !known.includes(s));
  if (unknown.length)
    throw new ScenarioError(`no such suite: ${unknown.join(", ")} (there are ${known.join(", ")})`);
  const chosen = suites.length ? suites : known.sort();
  const scenarios: Scenario[] = [];
  for (const suite of chosen) {
    const files = (await readdir(join(root, suite))).filter((f) => /\.ya?ml$/.test(f)).sort();
    for (const f of files) scenarios.push(await loadScenario(join(root, suite, f), root));
  }
  return scenarios;
}

/** A scenario named by its id (`injection/issue-plants-exfiltration`) or by the path of its file. */
export async function findScenario(nameOrPath: string, root = SUITES_DIR): Promise<Scenario> {
  if (/\.ya?ml$/.test(nameOrPath))
    return loadScenario(resolve(nameOrPath), dirname(dirname(resolve(nameOrPath))));
  const file = join(root, `${nameOrPath}.yaml`);
  try {
    return await loadScenario(file, root);
  } catch (error) {
    if ((error as Error).message.includes("ENOENT"))
      throw new ScenarioError(
        `there is no scenario ${nameOrPath} (looked for ${relative(process.cwd(), file)})`,
      );
    throw error;
  }
}
