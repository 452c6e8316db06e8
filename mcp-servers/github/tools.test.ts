import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { globMatches } from "../../controller/client/glob.ts";
import { isReadOnlyTool } from "../../controller/policy/request.ts";
import { GITHUB_OPERATIONS } from "./factory.ts";
import { githubServer } from "./server.ts";
import { BlueprintInput } from "./tools/blueprints.ts";

const server = githubServer({ paced: false });
const tools = server.tools;
const operations: Record<string, { summary: string; write: boolean; input: unknown }> = GITHUB_OPERATIONS;
const BLUEPRINT_TOOLS = ["apply_blueprint", "plan_blueprint"];

describe("the GitHub server's tools", () => {
  it("offer every factory operation under its own name and input schema, plus planning and applying blueprints", () => {
    expect(tools.map((t) => t.name).sort()).toEqual([...Object.keys(operations), ...BLUEPRINT_TOOLS].sort());
    expect(new Set(tools.map((t) => t.name)).size).toBe(tools.length);
    for (const tool of tools.filter((t) => !BLUEPRINT_TOOLS.includes(t.name))) {
      const op = operations[tool.name];
      expect(tool.input, tool.name).toBe(op?.input);
      expect(tool.description.startsWith(`${op?.summary}. `), tool.name).toBe(true);
      expect(tool.hints.readOnlyHint, tool.name).toBe(!op?.write);
    }
  });

  it("are named <area>_<verb>_<noun>, with a verb that tells the controller whether they only read", () => {
    for (const tool of tools) {
      if (!BLUEPRINT_TOOLS.includes(tool.name)) expect(tool.name).toMatch(/^[a-z]+_[a-z]+_[a-z]+(_[a-z]+)*$/);
      expect(isReadOnlyTool(tool.name), tool.name).toBe(tool.hints.readOnlyHint);
    }
  });

  it("set a title, a description, a known toolset and all four hints, honestly", () => {
    for (const tool of tools) {
      expect(tool.title, tool.name).toMatch(/^[A-Z].{3,60}$/);
      expect(tool.description.length, tool.name).toBeGreaterThan(60);
      expect(Object.keys(server.toolsets), tool.name).toContain(tool.toolset);
      expect(Object.keys(tool.hints).sort(), tool.name).toEqual([
        "destructiveHint",
        "idempotentHint",
        "openWorldHint",
        "readOnlyHint",
      ]);
      for (const hint of Object.values(tool.hints)) expect(typeof hint, tool.name).toBe("boolean");
      expect(tool.hints.openWorldHint, tool.name).toBe(true);
      if (tool.hints.readOnlyHint)
        expect(tool.hints, tool.name).toMatchObject({ destructiveHint: false, idempotentHint: true });
    }
    const hints = (name: string) => tools.find((t) => t.name === name)?.hints;
    // Add-only writes are not destructive; those that add another thing each call are not idempotent.
    expect(hints("branches_create_branch")).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(hints("issues_create_issue")).toMatchObject({ destructiveHint: false, idempotentHint: false });
    expect(hints("pulls_create_review")).toMatchObject({ destructiveHint: false, idempotentHint: false });
    for (const name of ["contents_delete_file", "protection_delete_branch_protection", "apply_blueprint"])
      expect(hints(name)).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
    expect(hints("plan_blueprint")?.readOnlyHint).toBe(true);
  });

  it("group tools into toolsets by area, every toolset with tools", () => {
    const toolsetOf: Record<string, string> = {
      repos: "repos",
      contents: "repos",
      branches: "repos",
      codeowners: "repos",
      teams: "teams",
      orgs: "teams",
      protection: "protection",
      secrets: "secrets",
      variables: "secrets",
      actions: "actions",
      environments: "actions",
      issues: "issues_prs",
      pulls: "issues_prs",
      checks: "issues_prs",
      security: "security",
      plan: "blueprints",
      apply: "blueprints",
    };
    for (const tool of tools)
      expect(tool.toolset, tool.name).toBe(toolsetOf[tool.name.split("_")[0] as string]);
    expect(Object.keys(server.toolsets).filter((set) => !tools.some((t) => t.toolset === set))).toEqual([]);
    for (const description of Object.values(server.toolsets)) expect(description.length).toBeGreaterThan(20);
  });

  it("mark file text, issue and pull request text untrusted; secret values and written file text sensitive", () => {
    const untrusted = (name: string) => tools.find((t) => t.name === name)?.untrusted;
    expect(untrusted("contents_get_file")).toEqual(["text"]);
    expect(untrusted("issues_list_issues")).toEqual(["items[].title", "items[].body", "items[].labels[]"]);
    expect(untrusted("pulls_get_pull_request")).toEqual(["title", "body"]);
    expect(tools.filter((t) => t.sensitive?.length).map((t) => [t.name, t.sensitive])).toEqual([
      ["contents_create_or_update_file", ["content"]],
      ["contents_commit_files", ["files[].content"]],
      ["secrets_set_secret", ["value"]],
    ]);
  });

  it("name what policy decides on as the role templates do: bare repositories, the organisation, team slugs", () => {
    const sample = {
      owner: "acme",
      org: "acme",
      repo: "acme-api",
      team: "acme-developers",
      name: "Acme Developers",
    };
    const resources = Object.fromEntries(
      tools.map((t) => [t.name, t.resource(sample as never, {} as never)] as const),
    );
    for (const tool of tools) {
      const { kind, name } = resources[tool.name] as { kind: string; name: string };
      const shape = tool.input.shape as Record<string, unknown>;
      const expected =
        tool.toolset === "blueprints"
          ? { kind: "blueprint", name: "acme" }
          : "repo" in shape
            ? { kind: "repository", name: "acme-api" }
            : "team" in shape || tool.name === "teams_create_team"
              ? { kind: "team", name: "acme-developers" }
              : { kind: "organization", name: "acme" };
      expect({ kind, name }, tool.name).toEqual(expected);
    }
    // Secrets and variables without a repository are the organisation's.
    const orgSecret = tools
      .find((t) => t.name === "secrets_set_secret")
      ?.resource({ owner: "acme" } as never, {} as never);
    expect(orgSecret).toEqual({ kind: "organization", name: "acme" });
  });

  it("refuse a blueprint that names a repository or team outside the organisation's prefix, naming the field", () => {
    const result = BlueprintInput.safeParse({
      org: "acme",
      repos: [{ name: "acme-api" }, { name: "api" }],
      teams: [{ name: "Acme Developers" }, { name: "Developers" }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["repos.1.name", "must start with acme- (the organisation's prefix, as the naming rules ask)"],
      ["teams.1.name", "must start with acme- (the organisation's prefix, as the naming rules ask)"],
    ]);
  });
});

describe("the GitHub policies", () => {
  const policies = join(import.meta.dirname, "../../policies");
  const roles = parse(readFileSync(join(policies, "roles/github.yaml"), "utf8")) as {
    roles: Record<string, { scopes: { tools: string[] }[]; approval?: { tools?: string[] } }>;
  };
  const approvals = parse(readFileSync(join(policies, "approvals.yaml"), "utf8")) as {
    rules: { id: string; server?: string; tools?: string[] }[];
  };
  const names = tools.map((t) => t.name);
  const reached = (patterns: string[]) =>
    Object.fromEntries(patterns.map((p) => [p, names.filter((n) => globMatches(p, n)).length]));

  it("name only tools the server has, in every role and approval rule", () => {
    for (const [role, template] of Object.entries(roles.roles)) {
      const patterns = [...template.scopes.flatMap((s) => s.tools), ...(template.approval?.tools ?? [])];
      const counts = reached(patterns);
      expect(
        Object.keys(counts).filter((p) => counts[p] === 0),
        role,
      ).toEqual([]);
    }
    for (const rule of approvals.rules.filter((r) => r.server === "github")) {
      const counts = reached(rule.tools ?? []);
      expect(
        Object.keys(counts).filter((p) => counts[p] === 0),
        rule.id,
      ).toEqual([]);
    }
  });

  it("let a founder plan and apply blueprints, applying after a platform admin approves", () => {
    const founder = roles.roles.founder?.scopes.flatMap((s) => s.tools) ?? [];
    expect(founder).toEqual(expect.arrayContaining(["plan_blueprint", "apply_blueprint"]));
    expect(approvals.rules.find((r) => r.id === "blueprint-apply")).toEqual({
      id: "blueprint-apply",
      description: expect.any(String),
      server: "github",
      tools: ["apply_*"],
      approvers: ["platform-admin"],
      quorum: 1,
    });
  });
});
