import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilePolicies } from "./compile.ts";
import { DecisionRequestError, PolicyEngine } from "./engine.ts";
import { PolicyLoadError } from "./load.ts";
import { databaseIsolationOf } from "./model.ts";
import { type LoadedPolicies, loadPolicies } from "./policies.ts";
import type { DecisionRequest } from "./request.ts";

const shipped = join(import.meta.dirname, "../../policies");

const call = (
  role: string,
  tool: string,
  resource: {
    server: "github" | "azure-devops" | "database" | "ai";
    kind: string;
    name: string;
    tenant?: string;
  },
  context: Partial<NonNullable<DecisionRequest["context"]>> = {},
  tenant = "acme",
): DecisionRequest => ({
  principal: { tenant, persona: role, role },
  action: "call_tool",
  resource,
  context: { tool, ...context },
});
const repo = (name: string) => ({ server: "github" as const, kind: "repository", name });
const project = (name = "tenant-acme") => ({ server: "azure-devops" as const, kind: "project", name });
const spawn = (
  role: string,
  childPersona: string,
  context: Record<string, number> = {},
): DecisionRequest => ({
  principal: { tenant: "acme", persona: role, role },
  action: "spawn_agent",
  resource: { server: "ai", kind: "team", name: "acme" },
  context: { childPersona, ...context },
});

describe("the shipped policies", () => {
  let policies: LoadedPolicies;
  const decide = (request: DecisionRequest) => policies.engine.decide(request);
  beforeAll(async () => {
    policies = await loadPolicies(shipped);
  });

  it("load, compile and validate for every persona and platform role", () => {
    const roles = Object.fromEntries(
      policies.sources.roles.map((f) => [f.server, Object.keys(f.roles).sort()]),
    );
    expect(roles).toEqual({
      ai: ["dev", "finance", "founder", "ops", "sec"],
      "azure-devops": ["dev", "finance", "founder", "ops", "pipeline_dev", "project_owner", "sec"],
      database: ["dev", "finance", "founder", "ops", "sec"],
      github: ["dev", "finance", "founder", "ops", "org_admin", "repo_creator", "sec"],
    });
    expect(policies.compiled.meta["guardrail.no-repository-deletion"]?.source).toBe("guardrails.cedar");
  });

  it("allows a persona what its role template allows, naming the policy", () => {
    expect(decide(call("dev", "contents_commit_files", repo("acme-api")))).toEqual({
      effect: "allow",
      policies: ["role.github.dev.scope0"],
      reasons: [expect.stringContaining("role template github/dev allows")],
    });
  });

  it("denies a dev asking for organisation admin, by default", () => {
    const decision = decide(
      call("dev", "orgs_set_membership", { server: "github", kind: "org", name: "acme" }),
    );
    expect(decision.effect).toBe("deny");
    expect(decision.policies).toEqual(["default-deny"]);
    expect(decision.reasons[0]).toMatch(/no policy lets role dev .* orgs_set_membership/);
    expect(decide(call("dev", "protection_set_branch_protection", repo("acme-api"))).effect).toBe("deny");
    expect(decide(call("finance", "repos_create_repository", repo("acme-api"))).effect).toBe("deny");
  });

  it("denies another tenant's resources, by name and by registered owner", () => {
    expect(decide(call("dev", "contents_commit_files", repo("globex-api"))).policies).toEqual([
      "default-deny",
    ]);
    // `acme` as a prefix of another word is not acme's namespace.
    expect(decide(call("dev", "contents_commit_files", repo("acmecorp-api"))).effect).toBe("deny");
    const owned = decide(call("dev", "contents_commit_files", { ...repo("acme-api"), tenant: "globex" }));
    expect(owned).toMatchObject({ effect: "deny", policies: ["base.tenant-isolation"] });
  });

  it("enforces tenant quotas on the calls that consume them", () => {
    const create = (repos: number) =>
      decide(call("founder", "repos_create_repository", repo("acme-web"), { usage: { repos } }));
    expect(create(24).effect).toBe("allow");
    expect(create(25)).toMatchObject({
      effect: "deny",
      policies: ["quota.repos"],
      reasons: ["tenant quota: at most 25 repos"],
    });
    expect(
      decide(call("founder", "repos_get_repository", repo("acme-web"), { usage: { repos: 99 } })).effect,
    ).toBe("allow");
    expect(decide(spawn("founder", "dev", { children: 1 })).effect).toBe("allow");
    expect(
      decide({ ...spawn("founder", "dev"), context: { childPersona: "dev", usage: { agents: 12 } } }),
    ).toMatchObject({
      effect: "deny",
      policies: ["quota.agents"],
    });
  });

  it("refuses names that break the naming rules", () => {
    expect(decide(call("founder", "repos_create_repository", repo("web")))).toMatchObject({
      effect: "deny",
      policies: ["naming.github-repository"],
    });
    const ops = (name: string) => decide(call("ops", "projects_create_project", project(name)));
    expect(ops("tenant-acme").effect).toBe("allow");
    expect(ops("acme-project")).toMatchObject({ effect: "deny", policies: ["naming.azure-devops-project"] });
  });

  it("holds risky operations for approval, then allows them once approved", () => {
    const sc = { server: "azure-devops" as const, kind: "service_connection", name: "acme-azure" };
    expect(decide(call("ops", "service_connections_create_connection", sc))).toEqual({
      effect: "needs-approval",
      policies: ["approval.service-connections"],
      reasons: [expect.stringContaining("service connection")],
      approval: { rules: ["service-connections"], approvers: ["platform-admin", "security-lead"], quorum: 1 },
    });
    expect(decide(call("ops", "service_connections_create_connection", sc, { approved: true })).effect).toBe(
      "allow",
    );
    expect(decide(call("ops", "service_connections_get_connection", sc)).effect).toBe("allow");
    // Approval never widens a role: a dev's approved service connection is still denied.
    expect(decide(call("dev", "service_connections_create_connection", sc, { approved: true })).effect).toBe(
      "deny",
    );
    expect(decide(call("dev", "service_connections_create_connection", sc)).effect).toBe("deny");
  });

  it("lets a founder plan a blueprint on the spot and apply it once a platform admin approves", () => {
    const plan = decide(call("founder", "plan_blueprint", project(), { readOnly: true }));
    expect(plan).toMatchObject({ effect: "allow", policies: ["role.azure-devops.founder.scope0"] });
    expect(decide(call("founder", "apply_blueprint", project()))).toMatchObject({
      effect: "needs-approval",
      policies: ["approval.blueprint-apply-azure-devops"],
      approval: { rules: ["blueprint-apply-azure-devops"], approvers: ["platform-admin"], quorum: 1 },
    });
    expect(decide(call("founder", "apply_blueprint", project(), { approved: true })).effect).toBe("allow");
    expect(decide(call("founder", "apply_blueprint", project("tenant-globex"))).effect).toBe("deny");
    expect(decide(call("dev", "apply_blueprint", project())).policies).toEqual(["default-deny"]);
  });

  it("gives branch protection to sec, pull requests to dev, and organisation pools only with approval", () => {
    const repo = { server: "azure-devops" as const, kind: "repository", name: "acme-app" };
    expect(decide(call("sec", "repos_set_branch_policies", repo)).effect).toBe("allow");
    expect(decide(call("dev", "repos_set_branch_policies", repo)).effect).toBe("deny");
    expect(decide(call("dev", "repos_complete_pull_request", repo)).effect).toBe("allow");
    expect(decide(call("finance", "repos_push_files", repo)).effect).toBe("deny");
    const pool = { server: "azure-devops" as const, kind: "agent_pool", name: "acme-linux" };
    expect(decide(call("ops", "pipelines_create_agent_pool", pool))).toMatchObject({
      effect: "needs-approval",
      policies: ["approval.azure-devops-org-level"],
    });
  });

  it("applies role-level approval only to the writes it names", () => {
    expect(decide(call("ops", "secrets_set_repo_secret", repo("acme-api"))).approval).toEqual({
      rules: ["role.github.ops"],
      approvers: ["platform-admin"],
      quorum: 1,
    });
    expect(decide(call("ops", "variables_set_repo_variable", repo("acme-api"))).effect).toBe("allow");
    const org = { server: "github" as const, kind: "org", name: "acme" };
    expect(decide(call("org_admin", "orgs_get_settings", org)).effect).toBe("allow");
    const invite = decide(call("org_admin", "orgs_create_invitation", org));
    expect(invite.effect).toBe("needs-approval");
    expect(invite.approval?.rules.sort()).toEqual(["github-org-level", "role.github.org_admin"]);
  });

  it("lets a founder plan its organisation's blueprint freely and apply it once a platform admin approves", () => {
    const blueprint = (name: string) => ({ server: "github" as const, kind: "blueprint", name });
    expect(decide(call("founder", "plan_blueprint", blueprint("acme"))).effect).toBe("allow");
    expect(decide(call("founder", "apply_blueprint", blueprint("acme")))).toMatchObject({
      effect: "needs-approval",
      policies: ["approval.blueprint-apply"],
      approval: { rules: ["blueprint-apply"], approvers: ["platform-admin"], quorum: 1 },
    });
    expect(decide(call("founder", "apply_blueprint", blueprint("acme"), { approved: true })).effect).toBe(
      "allow",
    );
    expect(decide(call("founder", "plan_blueprint", blueprint("globex"))).effect).toBe("deny");
    expect(decide(call("dev", "plan_blueprint", blueprint("acme"))).effect).toBe("deny");
  });

  it("needs two approvers for break-glass and policy widening, and only the roles that may ask", () => {
    const ask = (role: string, action: "break_glass" | "widen_policy") =>
      decide({
        principal: { tenant: "acme", persona: role, role },
        action,
        resource: { server: "ai", kind: "team", name: "acme" },
      });
    expect(ask("sec", "break_glass")).toMatchObject({ effect: "needs-approval", approval: { quorum: 2 } });
    expect(ask("founder", "widen_policy")).toMatchObject({
      effect: "needs-approval",
      approval: { quorum: 2 },
    });
    expect(ask("founder", "break_glass").effect).toBe("deny");
    expect(ask("dev", "widen_policy").effect).toBe("deny");
  });

  it("limits who spawns whom, how many children and how deep", () => {
    expect(decide(spawn("founder", "ops")).effect).toBe("allow");
    expect(decide(spawn("dev", "ops")).policies).toEqual(["default-deny"]);
    expect(decide(spawn("founder", "org_admin")).effect).toBe("deny");
    expect(decide(spawn("founder", "dev", { children: 5 }))).toMatchObject({
      effect: "deny",
      policies: ["limits.max-children"],
    });
    expect(decide(spawn("founder", "dev", { depth: 3 }))).toMatchObject({
      effect: "deny",
      policies: ["limits.max-depth"],
    });
  });

  it("lets hand-written forbids win over role permits", () => {
    expect(
      decide(
        call("ops", "repos_delete_repository", {
          server: "azure-devops",
          kind: "repository",
          name: "acme-api",
        }),
      ),
    ).toMatchObject({
      effect: "deny",
      policies: ["guardrail.no-repository-deletion"],
      reasons: ["no agent deletes a repository; archive it instead"],
    });
  });

  it("rejects malformed requests naming the field", () => {
    expect(() => decide(call("dev", "contents_commit_files", repo("acme api")))).toThrow(
      DecisionRequestError,
    );
    expect(() => decide(call("dev", "contents_commit_files", repo("acme api")))).toThrow(/resource\.name/);
    expect(() => decide(call("dev", "x", repo("acme-api"), {}, "Acme"))).toThrow(/principal\.tenant/);
    expect(() => decide({ ...call("dev", "x", repo("acme-api")), context: {} })).toThrow(/context\.tool/);
  });
});

describe("a forbid that fails to evaluate", () => {
  it("denies instead of being skipped", async () => {
    const { sources } = await loadPolicies(shipped);
    const broken = `@id("broken") forbid (principal, action, resource) when { resource.tenant == "globex" };`;
    const { compiled } = compilePolicies({ ...sources, cedar: [{ file: "broken.cedar", text: broken }] });
    const engine = new PolicyEngine(compiled);
    expect(engine.decide(call("dev", "contents_commit_files", repo("acme-api")))).toMatchObject({
      effect: "deny",
      policies: ["broken"],
    });
  });
});

describe("loading policies", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sf-policies-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const variant = async (name: string, change: Record<string, (text: string) => string>) => {
    const target = join(dir, name);
    await cp(shipped, target, { recursive: true });
    for (const [file, edit] of Object.entries(change)) {
      const path = join(target, file);
      await writeFile(path, edit(await readFile(path, "utf8").catch(() => "")));
    }
    return target;
  };
  const issuesOf = async (path: string) => {
    try {
      await loadPolicies(path);
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyLoadError);
      return (error as PolicyLoadError).issues;
    }
    throw new Error("expected the policies to be rejected");
  };

  it("names file, path and line of a wrong value", async () => {
    const path = await variant("bad-ttl", {
      "roles/github.yaml": (t) => t.replace("ttl_minutes: 30", 'ttl_minutes: "soon"'),
    });
    expect(await issuesOf(path)).toEqual([
      {
        file: "roles/github.yaml",
        path: "roles.dev.ttl_minutes",
        line: 21,
        message: expect.stringMatching(/number/),
      },
    ]);
  });

  it("reports broken YAML with its line", async () => {
    const path = await variant("bad-yaml", { "limits.yaml": (t) => `${t}\n  : : [\n` });
    const [issue] = await issuesOf(path);
    expect(issue).toMatchObject({ file: "limits.yaml", line: expect.any(Number) });
  });

  it("reports a TTL above the platform cap, an impossible quorum and an unknown persona", async () => {
    const path = await variant("cross", {
      "roles/github.yaml": (t) => t.replace("ttl_minutes: 60", "ttl_minutes: 90"),
      "approvals.yaml": (t) => t.replace("quorum: 2", "quorum: 3"),
      "roles/ai.yaml": (t) => t.replace("may_spawn: [dev, ops, sec, finance]", "may_spawn: [dev, cfo]"),
    });
    const messages = (await issuesOf(path)).map((i) => `${i.file} ${i.path}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /roles\/github.yaml roles.founder.ttl_minutes: 90 exceeds the platform cap of 60/,
        ),
        expect.stringMatching(
          /approvals.yaml rules\[3\].quorum: is larger than the number of approver roles/,
        ),
        expect.stringMatching(/roles\/ai.yaml roles.founder.may_spawn: cfo is not a persona/),
      ]),
    );
  });

  it("type-checks hand-written Cedar against the schema", async () => {
    const path = await variant("typo", {
      "extra.cedar": () => `@id("typo") forbid (principal, action, resource) when { context.tol == "x" };`,
    });
    const issues = await issuesOf(path);
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues)
      expect(issue).toEqual({
        file: "extra.cedar",
        path: "typo",
        message: expect.stringMatching(/attribute `tol`/),
      });
  });

  it("loads model prices, allowlists and budgets from models.yaml", async () => {
    const { models } = (await loadPolicies(shipped)).sources;
    expect(models.models["gpt-4.1-mini"]).toEqual({
      input_usd_per_million: 0.4,
      output_usd_per_million: 1.6,
    });
    expect(models.personas.dev).toEqual({
      models: ["gpt-4.1-mini", "gpt-4.1-nano", "replay"],
      budget: { day: { tokens: 600000, cost_usd: 4 } },
    });
    expect(models.budgets).toEqual({
      tenant: { day: { tokens: 2000000, cost_usd: 20 }, month: { tokens: 40000000, cost_usd: 400 } },
      tenants: {},
    });
  });

  it("rejects an empty budget, a bad period, an unknown key and an unpriced model in models.yaml", async () => {
    const path = await variant("bad-models", {
      "models.yaml": (t) =>
        t
          .replace("day: { tokens: 300000, cost_usd: 2 }", "day: {}")
          .replace("month: { tokens: 40000000", "week: { tokens: 40000000")
          .replace("  tenants: {}", "  tenants: {}\n  surprise: 1"),
    });
    expect(await issuesOf(path)).toEqual([
      {
        file: "models.yaml",
        path: "budgets.tenant",
        line: 28,
        message: expect.stringMatching(/unrecognized key.*week/i),
      },
      {
        file: "models.yaml",
        path: "budgets",
        line: 27,
        message: expect.stringMatching(/unrecognized key.*surprise/i),
      },
      {
        file: "models.yaml",
        path: "personas.ops.budget.day",
        line: 47,
        message: "sets neither tokens nor cost_usd",
      },
    ]);
    const unpriced = await variant("unpriced-model", {
      "models.yaml": (t) => t.replace("models: [gpt-4.1-nano, replay]", "models: [gpt-5, replay]"),
    });
    expect(await issuesOf(unpriced)).toEqual([
      {
        file: "models.yaml",
        path: "personas.finance.models[0]",
        message: "gpt-5 has no price under models",
      },
    ]);
  });

  it("loads the database isolation policy with per-tenant overrides", async () => {
    const path = await variant("databases", {
      "databases.yaml": () => "isolation: schema\ntenants:\n  globex:\n    isolation: database\n",
    });
    const { sources } = await loadPolicies(path);
    expect(sources.databases).toEqual({
      isolation: "schema",
      tenants: { globex: { isolation: "database" } },
    });
    expect(databaseIsolationOf(sources.databases, "globex")).toBe("database");
    expect(databaseIsolationOf(sources.databases, "acme")).toBe("schema");
    const shipped = await loadPolicies(await variant("databases-shipped", {}));
    expect(shipped.sources.databases).toEqual({ isolation: "schema", tenants: {} });
  });

  it("names the bad field of the database isolation policy", async () => {
    const path = await variant("databases-bad", {
      "databases.yaml": () =>
        "isolation: cluster\ntenants:\n  Acme:\n    isolation: database\n  globex:\n    isolation: schema\n    size: 10\nreplicas: 2\n",
    });
    expect(await issuesOf(path)).toEqual([
      {
        file: "databases.yaml",
        path: "isolation",
        line: 1,
        message: expect.stringMatching(/"schema"\|"database"/),
      },
      { file: "databases.yaml", path: "tenants.Acme", line: 4, message: "Invalid key in record" },
      { file: "databases.yaml", path: "tenants.globex", line: 6, message: expect.stringMatching(/size/) },
      { file: "databases.yaml", path: "", line: 1, message: expect.stringMatching(/replicas/) },
    ]);
  });

  it("reports a missing file", async () => {
    const path = await variant("missing", {});
    await rm(join(path, "naming.yaml"));
    expect(await issuesOf(path)).toEqual([{ file: "naming.yaml", path: "", message: "is missing" }]);
  });
});
