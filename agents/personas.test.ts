import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadPolicySources } from "../controller/policy/load.ts";
import { toolsets } from "../mcp-servers/catalog.ts";
import { checkPersonasAgainstPolicies } from "./persona-policies.ts";
import { loadPersonas, type PersonaIssue, PersonaLoadError, parsePersona } from "./personas.ts";

const root = resolve(import.meta.dirname, "..");
const catalog = toolsets();

describe("personas", () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("loads the five shipped personas, and they agree with the policies", async () => {
    const personas = await loadPersonas(join(root, "personas"), catalog);
    expect([...personas.keys()].sort()).toEqual(["dev", "finance", "founder", "ops", "sec"]);
    const founder = personas.get("founder");
    expect(founder).toMatchObject({
      role: "founder",
      maySpawn: ["dev", "ops", "sec", "finance"],
      servers: { github: expect.arrayContaining(["blueprints"]) },
    });
    expect(founder?.prompt).toMatch(/^You are the founder/);
    expect(personas.get("dev")?.prompt).toMatch(/Never push directly to a protected branch/);
    const sources = await loadPolicySources(join(root, "policies"));
    expect(checkPersonasAgainstPolicies(personas.values(), sources)).toEqual([]);
  });

  it("names the file, the field and the line of every problem", async () => {
    const good = await readFile(join(root, "personas", "dev.md"), "utf8");
    const issues: PersonaIssue[] = [];
    const bad = good
      .replace("model: gpt-4.1-mini", "model: GPT 4")
      .replace("steps: 40", "steps: -1")
      .replace("  github: [repos, issues_prs]", "  github: [repos, wizardry]");
    expect(parsePersona("dev.md", bad, catalog, issues)).toBeUndefined();
    expect(issues).toEqual([
      { file: "dev.md", path: "model", line: 5, message: "must be a model id such as gpt-4.1-mini" },
      expect.objectContaining({ file: "dev.md", path: "budget.steps", line: 11 }),
    ]);
    const again: PersonaIssue[] = [];
    parsePersona(
      "dev.md",
      good.replace("  github: [repos, issues_prs]", "  github: [repos, wizardry]"),
      catalog,
      again,
    );
    expect(again).toEqual([
      {
        file: "dev.md",
        path: "servers.github[1]",
        line: 7,
        message: expect.stringMatching(/^github has no toolset wizardry \(it has repos, /),
      },
    ]);
  });

  it("refuses a file without front matter, an unknown key, a renamed file and a missing persona", async () => {
    const dir = await mkdtemp(join(tmpdir(), "personas-"));
    dirs.push(dir);
    const dev = await readFile(join(root, "personas", "dev.md"), "utf8");
    await writeFile(join(dir, "dev.md"), dev.replace("title: Developer", "title: Developer\nsudo: true"));
    await writeFile(join(dir, "ops.md"), "You are ops, with no front matter at all.");
    await writeFile(join(dir, "sec.md"), dev);
    const error = await loadPersonas(dir, catalog).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonaLoadError);
    const issues = (error as PersonaLoadError).issues;
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: "dev.md", message: expect.stringMatching(/sudo/) }),
        { file: "ops.md", path: "", line: 1, message: "must begin with YAML front matter between --- lines" },
        expect.objectContaining({ file: "sec.md", path: "name", message: "must match the file name (sec)" }),
        { file: "founder.md", path: "", message: "is missing" },
        { file: "finance.md", path: "", message: "is missing" },
      ]),
    );
    expect((error as Error).message).toMatch(/ops\.md:1: must begin with YAML front matter/);
  });

  it("finds what a persona asks for beyond its role templates and model allowlist", async () => {
    const personas = await loadPersonas(join(root, "personas"), catalog);
    const dev = personas.get("dev");
    if (!dev) throw new Error("no dev persona");
    const sources = await loadPolicySources(join(root, "policies"));
    const greedy = { ...dev, role: "designer", model: "gpt-4.1", maySpawn: ["ops" as const] };
    const issues = checkPersonasAgainstPolicies([greedy], sources);
    expect(issues.map((i) => `${i.path}: ${i.message}`).sort()).toEqual([
      "may_spawn: role template ai/designer may not spawn ops (policies/roles/ai.yaml)",
      "model: gpt-4.1 is not on dev's allowlist in policies/models.yaml",
      "servers.ai: there is no role template ai/designer in policies/roles",
      "servers.azure-devops: there is no role template azure-devops/designer in policies/roles",
      "servers.github: there is no role template github/designer in policies/roles",
    ]);
  });
});
