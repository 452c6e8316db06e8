import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { globMatches } from "../../controller/client/glob.ts";
import { type RunningAdoSandbox, startAdoSandbox } from "../../test/support/ado-sandbox.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { AzureDevOpsFactory } from "./factory.ts";
import type { AzureDevOpsContext } from "./tools/context.ts";
import { AZURE_DEVOPS_TOOLS, PLATFORM_ONLY_TOOLS } from "./tools/index.ts";

const ORG = "acme-org";
const project = "tenant-acme";
const app = { project, repo: "acme-app" };
const APPROVER = "6d0f8e8a-5b1c-4c9e-9a51-0f2f5c1f6a01";
const YAML = "trigger:\n  - main\nsteps:\n  - script: npm test\n";

// Loose on purpose: each call's result is checked against its tool's own output schema first.
// biome-ignore lint/suspicious/noExplicitAny: results are asserted field by field below.
type Result = any;

describe.each(backends)("every Azure DevOps tool's run against the sandbox on %s", (backend) => {
  let database: TestDatabase;
  let sandbox: RunningAdoSandbox;
  let ada: AzureDevOpsContext;
  let bob: AzureDevOpsContext;
  const called = new Set<string>();
  const resolved: string[] = [];
  const secrets = async (ref: string) => {
    resolved.push(ref);
    return `value-of-${ref.replace(/\W/g, "-")}`;
  };
  const context = (token: string, kind: "pat" | "bearer" = "pat"): AzureDevOpsContext => ({
    factory: new AzureDevOpsFactory({ orgUrl: sandbox.orgUrl, token, kind }),
    secrets,
  });

  /**
   * Runs a tool as the gate would (input parsed by its schema, defaults filled), checks its result against its
   * output schema with nothing dropped, and its resource against the tenant's role-template patterns.
   */
  const run = async (
    name: string,
    raw: Record<string, unknown>,
    as = ada,
    tenant = "acme",
  ): Promise<Result> => {
    const tool = AZURE_DEVOPS_TOOLS.find((t) => t.name === name);
    if (!tool) throw new Error(`no tool ${name}`);
    const input = tool.input.parse(raw);
    const result = await tool.run(as, input);
    expect(tool.output.parse(result), name).toEqual(result);
    if (!(PLATFORM_ONLY_TOOLS as readonly string[]).includes(name)) {
      const resource = tool.resource(input, {} as never).name;
      expect(
        [`tenant-${tenant}`, `${tenant}-*`].some((p) => globMatches(p, resource)),
        resource,
      ).toBe(true);
    }
    called.add(name);
    return result;
  };
  const finished = async (name: string, runId: number) => {
    for (let i = 0; i < 100; i++) {
      const now = await run("pipelines_get_run", { project, name, runId });
      if (now.state === "completed") return now;
      await sleep(20);
    }
    throw new Error("the run did not finish");
  };

  beforeAll(async () => {
    database = await freshDatabase(backend);
    sandbox = await startAdoSandbox({ database, org: ORG });
    ada = context(await sandbox.pat());
    bob = context(await sandbox.world.pat(ORG, "bob@example.com"));
  });
  afterAll(async () => {
    await sandbox.close();
    await database.dispose();
  });

  it("projects: creates the tenant's project, reads it, lists it", async () => {
    const created = await run("projects_create_project", { project, description: "Acme" });
    expect(created).toMatchObject({
      name: project,
      description: "Acme",
      state: "wellFormed",
      visibility: "private",
    });
    expect(await run("projects_get_project", { project })).toEqual({ project: created });
    expect(await run("projects_get_project", { project: "tenant-nobody" }, ada, "nobody")).toEqual({
      project: null,
    });
    expect(await run("projects_list_projects", {})).toEqual({
      items: [{ id: created.id, name: project, state: "wellFormed" }],
    });
  });

  it("repos: creates a repository, commits a scaffold and reads it back", async () => {
    expect(await run("repos_create_repository", app)).toMatchObject({
      name: "acme-app",
      defaultBranch: null,
    });
    const pushed = await run("repos_push_files", {
      ...app,
      message: "Scaffold",
      files: [
        { path: "README.md", content: "# acme-app\n" },
        { path: "azure-pipelines.yml", content: YAML },
      ],
    });
    expect(pushed).toEqual({
      commitId: expect.stringMatching(/^[0-9a-f]{40}$/),
      changed: true,
      files: ["README.md", "azure-pipelines.yml"],
    });
    expect((await run("repos_get_repository", app)).repository).toMatchObject({
      name: "acme-app",
      project,
      defaultBranch: "main",
    });
    expect(await run("repos_get_repository", { ...app, repo: "acme-none" })).toEqual({ repository: null });
    expect((await run("repos_list_repositories", { project })).items.map((r: Result) => r.name)).toEqual([
      "acme-app",
    ]);
    expect(await run("repos_get_file", { ...app, path: "azure-pipelines.yml" })).toEqual({ content: YAML });
    expect(await run("repos_get_file", { ...app, path: "missing.txt" })).toEqual({ content: null });
  });

  it("pipelines: creates a pipeline, runs it and reads its runs", async () => {
    const ci = { project, name: "acme-app-ci" };
    const created = await run("pipelines_create_pipeline", { ...ci, repo: "acme-app" });
    expect(created).toEqual({
      id: expect.any(Number),
      name: "acme-app-ci",
      folder: "\\",
      path: "azure-pipelines.yml",
    });
    expect(await run("pipelines_get_pipeline", ci)).toEqual({ pipeline: created });
    expect(await run("pipelines_get_pipeline", { project, name: "acme-none" })).toEqual({ pipeline: null });
    const queued = await run("pipelines_run_pipeline", ci);
    expect(queued).toMatchObject({ state: "inProgress", result: null });
    expect(await finished("acme-app-ci", queued.id)).toMatchObject({ id: queued.id, result: "succeeded" });
    expect((await run("pipelines_list_runs", ci)).items).toEqual([
      { id: queued.id, name: queued.name, state: "completed", result: "succeeded" },
    ]);
    const { lines } = await run("pipelines_get_run_log", { ...ci, runId: queued.id });
    expect(lines[0]).toBe("##[section]Starting: CmdLine");
    expect(lines.at(-1)).toBe("##[section]Finishing: CmdLine");
  });

  it("pipelines: agent pools and queues, variable groups with write-only secrets, environments with approvals", async () => {
    expect(await run("pipelines_create_agent_pool", { pool: "acme-linux" })).toMatchObject({
      name: "acme-linux",
      created: true,
    });
    const queue = await run("pipelines_create_agent_queue", { project, pool: "acme-linux" });
    expect(queue).toMatchObject({ name: "acme-linux", created: true });
    expect(await run("pipelines_get_agent_queue", { project, pool: "acme-linux" })).toEqual({
      queue: { id: queue.id, name: "acme-linux", poolId: expect.any(Number) },
    });
    expect(await run("pipelines_get_agent_queue", { project, pool: "acme-none" })).toEqual({ queue: null });

    const secret = "npm_secretValueNeverReadBack0042";
    const group = {
      project,
      name: "acme-app-settings",
      variables: { NODE_VERSION: { value: "20" }, NPM_TOKEN: { value: secret, isSecret: true } },
    };
    expect(await run("pipelines_set_variable_group", group)).toEqual({
      id: expect.any(Number),
      name: "acme-app-settings",
      created: true,
      variables: ["NODE_VERSION", "NPM_TOKEN"],
    });
    const read = await run("pipelines_get_variable_group", { project, name: "acme-app-settings" });
    expect(read.group.variables).toEqual({
      NODE_VERSION: { value: "20", isSecret: false },
      NPM_TOKEN: { value: null, isSecret: true },
    });
    expect(JSON.stringify(read)).not.toContain(secret);
    expect(await run("pipelines_get_variable_group", { project, name: "acme-none" })).toEqual({
      group: null,
    });

    const production = { project, environment: "production" };
    const environment = await run("pipelines_create_environment", {
      ...production,
      description: "Customers",
    });
    expect(environment).toEqual({
      id: expect.any(Number),
      name: "production",
      description: "Customers",
      created: true,
    });
    expect(await run("pipelines_get_environment", production)).toEqual({
      environment: { id: environment.id, name: "production", description: "Customers" },
    });
    const approval = { ...production, approvers: [APPROVER], instructions: "Check the release notes" };
    expect(await run("pipelines_set_environment_approval", approval)).toEqual({
      id: expect.any(Number),
      environmentId: environment.id,
      created: true,
      updated: false,
    });
    expect((await run("pipelines_set_environment_approval", approval)).updated).toBe(false);
    expect(await run("pipelines_list_environment_checks", production)).toEqual({
      items: [
        {
          id: expect.any(Number),
          type: "Approval",
          timeoutMinutes: 43_200,
          approvers: [APPROVER],
          minRequiredApprovers: 0,
          instructions: "Check the release notes",
        },
      ],
    });
  });

  it("repos: protects main, then a change reaches it only through an approved, built pull request", async () => {
    const protection = await run("repos_set_branch_policies", {
      ...app,
      minimumReviewers: { count: 1 },
      buildValidation: { pipeline: "acme-app-ci" },
    });
    expect(protection.policies.map((p: Result) => [p.kind, p.outcome])).toEqual([
      ["minimumReviewers", "created"],
      ["build", "created"],
    ]);
    expect(
      (await run("repos_get_branch_policies", app)).items.map((p: Result) => [p.type, p.isBlocking]),
    ).toEqual([
      ["Minimum number of reviewers", true],
      ["Build", true],
    ]);

    await run("repos_push_files", {
      ...app,
      branch: "feature/signup",
      message: "Sign-up form",
      files: [{ path: "src/signup.ts", content: "export const signup = () => true;\n" }],
    });
    const opened = await run("repos_create_pull_request", {
      ...app,
      sourceBranch: "feature/signup",
      title: "Sign-up form",
      description: "Adds the sign-up form.",
    });
    expect(opened).toMatchObject({
      title: "Sign-up form",
      status: "active",
      targetBranch: "main",
      created: true,
    });
    const pr = { ...app, pullRequestId: opened.id };
    const built = await run("pipelines_run_pipeline", {
      project,
      name: "acme-app-ci",
      branch: "feature/signup",
    });
    expect((await finished("acme-app-ci", built.id)).result).toBe("succeeded");
    expect(await run("repos_approve_pull_request", pr, bob)).toEqual({
      pullRequestId: opened.id,
      reviewer: "bob@example.com",
      vote: 10,
    });
    const merged = await run("repos_complete_pull_request", pr);
    expect(merged).toMatchObject({ id: opened.id, status: "completed", mergeStatus: "succeeded" });
    expect(merged.reviewers).toEqual([{ name: "bob@example.com", vote: 10 }]);
    expect(await run("repos_get_pull_request", pr)).toEqual(merged);
    expect((await run("repos_get_file", { ...app, path: "src/signup.ts" })).content).toContain("signup");
  });

  it("service connections: creates one once and lists it without its secret", async () => {
    const secret = "sp-client-secret-never-shown-0001";
    const connection = {
      project,
      name: "acme-azure",
      type: "azurerm",
      url: "https://management.azure.com/",
      scheme: "ServicePrincipal",
      parameters: { tenantid: "t-1", serviceprincipalid: "sp-1", serviceprincipalkey: secret },
    };
    const created = await run("service_connections_create_connection", connection);
    expect(created).toEqual({ id: expect.any(String), name: "acme-azure", created: true });
    const listed = await run("service_connections_list_connections", { project });
    expect(listed).toEqual({
      items: [{ id: created.id, name: "acme-azure", type: "azurerm", url: "https://management.azure.com/" }],
    });
    expect(JSON.stringify(listed)).not.toContain(secret);
  });

  it("security: groups, members and permissions", async () => {
    const groups = (await run("security_list_groups", { project })).items.map((g: Result) => g.name);
    expect(groups).toContain("Contributors");
    expect(
      await run("security_create_group", { project, name: "Reporting", description: "Finance" }),
    ).toEqual({
      name: "Reporting",
      descriptor: expect.stringMatching(/^vssgp\./),
      created: true,
    });
    const member = { project, group: "Reporting", member: "finance@acme.test" };
    expect(await run("security_add_member", member)).toEqual({ added: true });
    expect(await run("security_add_member", member)).toEqual({ added: false });
    expect(await run("security_list_members", { project, group: "Reporting" })).toEqual({
      items: [{ name: "finance@acme.test", kind: "user" }],
    });
    expect(await run("security_remove_member", member)).toEqual({ removed: true });
    expect(await run("security_list_members", { project, group: "Reporting" })).toEqual({ items: [] });
    const target = { project, group: "Contributors", on: "repositories", name: "acme-app" };
    expect(await run("security_set_permissions", { ...target, deny: ["ForcePush"] })).toEqual({
      token: expect.stringMatching(/^repoV2\//),
      changed: true,
      allow: [],
      deny: ["ForcePush"],
    });
    expect(await run("security_get_permissions", target)).toEqual({
      token: expect.stringMatching(/^repoV2\//),
      allow: [],
      deny: ["ForcePush"],
    });
  });

  it("security: the PAT lifecycle, on a user's Entra token", async () => {
    const user = context(await sandbox.world.entraToken(ORG, "ada@example.com"), "bearer");
    const created = await run(
      "tokens_create_pat",
      { displayName: "acme-reader", scopes: ["vso.project", "vso.code"], lifetimeDays: 7 },
      user,
    );
    expect(created).toMatchObject({ displayName: "acme-reader", scopes: ["vso.project", "vso.code"] });
    expect(created.token).toHaveLength(52);
    const { token: _, ...described } = created;
    expect(await run("tokens_list_pats", {}, user)).toEqual({ items: [described] });
    expect(await run("tokens_revoke_pat", { authorizationId: created.authorizationId }, user)).toEqual({
      authorizationId: created.authorizationId,
      revoked: true,
    });
    expect(await run("tokens_list_pats", {}, user)).toEqual({ items: [] });
  });

  it("boards: work items one by one and a backlog at once", async () => {
    const epic = await run("boards_create_work_item", {
      project,
      type: "Epic",
      title: "Launch",
      description: "<p>MVP</p>",
    });
    expect(epic).toMatchObject({
      type: "Epic",
      title: "Launch",
      state: "New",
      description: "<p>MVP</p>",
      parentId: null,
    });
    expect(await run("boards_get_work_item", { project, id: epic.id })).toEqual({ workItem: epic });
    expect(await run("boards_get_work_item", { project, id: 999_999 })).toEqual({ workItem: null });
    const backlog = {
      project,
      backlog: [{ title: "Launch", features: [{ title: "Sign-up", tasks: ["Form"] }] }],
    };
    const ensured = await run("boards_ensure_backlog", backlog);
    expect(ensured.created.map((w: Result) => [w.type, w.title])).toEqual([
      ["Feature", "Sign-up"],
      ["Task", "Form"],
    ]);
    expect(await run("boards_ensure_backlog", backlog)).toEqual({ created: [] });
    expect(await run("boards_query_work_items", { project, parentId: epic.id })).toEqual({
      items: [expect.objectContaining({ type: "Feature", title: "Sign-up", parentId: epic.id })],
    });
  });

  it("blueprints: plans a tenant, applies it with its secrets resolved, then plans nothing", async () => {
    const blueprint = {
      project: "tenant-beta",
      team: { dev: ["dev@beta.test"] },
      repos: [{ name: "beta-app", files: [{ path: "azure-pipelines.yml", content: YAML }] }],
      pipelines: [{ name: "beta-app-ci", repo: "beta-app", firstRun: false }],
      variableGroups: [
        {
          name: "beta-settings",
          variables: {
            NODE_ENV: { value: "production" },
            DB_PASSWORD: { secret: "secret://beta/db-password" },
          },
        },
      ],
    };
    const planned = await run("plan_blueprint", blueprint, ada, "beta");
    expect(planned.target).toBe("tenant-beta");
    expect(planned.steps.map((s: Result) => s.tool)).toEqual([
      "projects_create_project",
      "repos_create_repository",
      "repos_push_files",
      "pipelines_create_pipeline",
      "security_create_group",
      "security_add_member",
      "pipelines_set_variable_group",
    ]);
    expect(await run("projects_get_project", { project: "tenant-beta" }, ada, "beta")).toEqual({
      project: null,
    });
    expect(resolved).toEqual([]);

    const applied = await run("apply_blueprint", blueprint, ada, "beta");
    expect(applied.applied.map((s: Result) => s.tool)).toEqual(planned.steps.map((s: Result) => s.tool));
    expect(applied.waiting).toEqual([]);
    expect(resolved).toEqual(["secret://beta/db-password"]);
    expect(
      await sandbox.world.secretMatches(
        ORG,
        "beta-settings",
        "DB_PASSWORD",
        await secrets("secret://beta/db-password"),
      ),
    ).toBe(true);
    expect(JSON.stringify(applied)).not.toContain("value-of-");
    expect((await run("plan_blueprint", blueprint, ada, "beta")).steps).toEqual([]);
  });

  it("ran every tool", () => {
    expect(AZURE_DEVOPS_TOOLS.map((t) => t.name).filter((n) => !called.has(n))).toEqual([]);
  });
});
