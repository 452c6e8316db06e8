import { readdir, readFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { PERSONA_NAMES } from "../agents/personas.ts";
import { StartupBlueprint } from "../graphs/lifecycle/startup-blueprint.ts";
import { Graders } from "./scenario-graders.ts";
import { World } from "./scenario-world.ts";

/** Where the shipped suites live: one folder per suite, one YAML file per scenario. */
export const SUITES_DIR = resolve(import.meta.dirname, "suites");

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
