import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAdoSandbox, startAdoSandbox } from "../../../test/support/ado-sandbox.ts";
import { backends, freshDatabase, type TestDatabase } from "../../../test/support/backends.ts";
import { failure } from "../../../test/support/failure.ts";
import { AzureDevOpsFactoryError } from "../errors.ts";
import { AzureDevOpsFactory } from "../factory.ts";
import { apply } from "./apply.ts";
import { plan } from "./plan.ts";

const ORG = "acme-org";
const APPROVER = "6d0f8e8a-5b1c-4c9e-9a51-0f2f5c1f6a01";
const PIPELINE_YAML = "trigger:\n  - main\nsteps:\n  - script: npm ci && npm test\n";

/** A tenant's blueprint: everything the issue's onboarding names. */
const blueprint = (project: string) => ({
  project,
  description: `The ${project} startup`,
  team: {
    founder: [`founder@${project}.test`],
    dev: [`dev@${project}.test`],
    sec: [`sec@${project}.test`],
    finance: [`finance@${project}.test`],
  },
  repos: [
    {
      name: `${project}-app`,
      files: [
        { path: "package.json", content: `{ "name": "${project}-app" }\n` },
        { path: "azure-pipelines.yml", content: PIPELINE_YAML },
      ],
    },
    {
      name: `${project}-infra`,
      files: [{ path: "azure-pipelines.yml", content: PIPELINE_YAML }],
      policies: { minimumReviewers: 2, buildValidation: `${project}-infra-ci` },
    },
  ],
  pipelines: [
    { name: `${project}-app-ci`, repo: `${project}-app` },
    { name: `${project}-infra-ci`, repo: `${project}-infra` },
  ],
  permissions: [{ group: "Contributors", on: "repositories", name: `${project}-infra`, deny: ["ForcePush"] }],
  environments: [{ name: "production", approvers: [APPROVER], minRequiredApprovers: 1 }],
  agentQueues: [{ pool: "startup-agents" }],
  variableGroups: [
    {
      name: `${project}-settings`,
      variables: {
        NODE_ENV: { value: "production" },
        DB_PASSWORD: { secret: `secret://${project}/db-password` },
      },
    },
  ],
  serviceConnections: [
    {
      name: `${project}-azure`,
      type: "azurerm",
      url: "https://management.azure.com/",
      scheme: "ServicePrincipal",
      parameters: {
        tenantid: { value: "tenant-1" },
        serviceprincipalkey: { secret: `secret://${project}/sp-key` },
      },
    },
  ],
  backlog: [
    {
      title: "Launch",
      features: [
        { title: "Sign-up", tasks: ["Form", "Email check"] },
        { title: "Billing", tasks: ["Stripe"] },
      ],
    },
  ],
});

const secretValues: Record<string, string> = {};
const secrets = async (ref: string) => {
  secretValues[ref] ??= `value-of-${ref.replace(/\W/g, "-")}`;
  return secretValues[ref];
};
const needsApproval = (tool: string) => tool === "service_connections_create_connection";

describe.each(backends)("Azure DevOps blueprints: plan, apply, re-plan on %s", (backend) => {
  let database: TestDatabase;
  let sandbox: RunningAdoSandbox;
  let factory: AzureDevOpsFactory;

  beforeAll(async () => {
    database = await freshDatabase(backend);
    sandbox = await startAdoSandbox({ database, org: ORG });
    factory = new AzureDevOpsFactory({ orgUrl: sandbox.orgUrl, token: await sandbox.pat(), kind: "pat" });
  });
  afterAll(async () => {
    await sandbox.close();
    await database.dispose();
  });

  it("onboards a tenant: plans everything, applies it with the service connection held, then re-plans to nothing", async () => {
    const b = blueprint("tenant-acme");
    const first = await plan(factory, b, { needsApproval });
    // Discovery, then the project: absent, so nothing under it is read.
    expect(first.readCalls).toBeLessThanOrEqual(4);
    expect(first.steps.map((s) => s.tool)).toEqual([
      "projects_create_project",
      "repos_create_repository",
      "repos_push_files",
      "repos_create_repository",
      "repos_push_files",
      "pipelines_create_pipeline",
      "pipelines_run_pipeline",
      "pipelines_create_pipeline",
      "pipelines_run_pipeline",
      "repos_set_branch_policies",
      "pipelines_create_environment",
      "pipelines_set_environment_approval",
      "security_create_group",
      "security_add_member",
      "security_add_member",
      "security_add_member",
      "security_add_member",
      "security_set_permissions",
      "pipelines_create_agent_pool",
      "pipelines_create_agent_queue",
      "pipelines_set_variable_group",
      "service_connections_create_connection",
      "boards_ensure_backlog",
    ]);
    expect(JSON.stringify(first)).not.toMatch(/value-of-/);

    const applied = await apply(factory, b, { needsApproval, secrets });
    expect(applied.applied).toHaveLength(22);
    expect(applied.waiting.map((s) => s.resource)).toEqual([
      "tenant-acme/serviceconnections/tenant-acme-azure",
    ]);

    const project = "tenant-acme";
    expect(
      await factory.call("repos_get_file", { project, repo: "tenant-acme-app", path: "azure-pipelines.yml" }),
    ).toBe(PIPELINE_YAML);
    const runs = await factory.call("pipelines_list_runs", { project, name: "tenant-acme-app-ci" });
    expect(runs).toHaveLength(1);
    expect(await factory.call("security_list_members", { project, group: "Reporting" })).toEqual([
      { name: "finance@tenant-acme.test", kind: "user" },
    ]);
    expect(await factory.call("security_list_members", { project, group: "Project Administrators" })).toEqual(
      [{ name: "founder@tenant-acme.test", kind: "user" }],
    );
    expect(
      await factory.call("security_get_permissions", {
        project,
        group: "Contributors",
        on: "repositories",
        name: "tenant-acme-infra",
      }),
    ).toMatchObject({ deny: ["ForcePush"] });
    expect(
      await factory.call("pipelines_get_agent_queue", { project, pool: "startup-agents" }),
    ).toMatchObject({
      name: "startup-agents",
    });
    expect(
      await factory.call("pipelines_get_variable_group", { project, name: "tenant-acme-settings" }),
    ).toMatchObject({
      variables: {
        NODE_ENV: { value: "production", isSecret: false },
        DB_PASSWORD: { value: null, isSecret: true },
      },
    });
    expect(
      await sandbox.world.secretMatches(
        ORG,
        "tenant-acme-settings",
        "DB_PASSWORD",
        await secrets("secret://tenant-acme/db-password"),
      ),
    ).toBe(true);
    const backlog = await factory.call("boards_query_work_items", { project });
    expect(backlog.map((w) => `${w.type}:${w.title}`).sort()).toEqual(
      [
        "Epic:Launch",
        "Feature:Sign-up",
        "Feature:Billing",
        "Task:Form",
        "Task:Email check",
        "Task:Stripe",
      ].sort(),
    );
    expect(await factory.call("service_connections_list_connections", { project })).toEqual([]);

    const waiting = await plan(factory, b, { needsApproval });
    expect(waiting.steps.map((s) => [s.tool, s.needsApproval])).toEqual([
      ["service_connections_create_connection", true],
    ]);
    const approved = await apply(factory, b, { needsApproval, secrets, approved: () => true });
    expect(approved.applied.map((s) => s.tool)).toEqual(["service_connections_create_connection"]);
    expect(
      (await factory.call("service_connections_list_connections", { project })).map((c) => c.name),
    ).toEqual(["tenant-acme-azure"]);

    const settled = await plan(factory, b, { needsApproval });
    expect(settled.steps).toEqual([]);
    expect(settled.unchanged).toContain("tenant-acme/backlog");
    const again = await apply(factory, b, { needsApproval, secrets, approved: () => true });
    expect(again.applied).toEqual([]);
  });

  it("plans only the drift after someone changes things by hand", async () => {
    const project = "tenant-acme";
    await factory.call("repos_push_files", {
      project,
      repo: "tenant-acme-app",
      message: "by hand",
      files: [{ path: "package.json", content: "{}\n" }],
    });
    await factory.call("security_remove_member", {
      project,
      group: "Readers",
      member: "sec@tenant-acme.test",
    });
    await factory.call("pipelines_set_variable_group", {
      project,
      name: "tenant-acme-settings",
      variables: { NODE_ENV: { value: "development" }, DB_PASSWORD: { value: "x", isSecret: true } },
    });
    const drift = await plan(factory, blueprint(project), { needsApproval });
    expect(drift.steps.map((s) => [s.tool, s.resource])).toEqual([
      ["repos_push_files", "tenant-acme/tenant-acme-app@main"],
      ["security_add_member", "tenant-acme/groups/Readers/members/sec@tenant-acme.test"],
      ["pipelines_set_variable_group", "tenant-acme/variablegroups/tenant-acme-settings"],
    ]);
    expect(drift.steps[0]?.input).toMatchObject({ files: [{ path: "package.json" }] });
    await apply(factory, blueprint(project), { needsApproval, secrets });
    expect((await plan(factory, blueprint(project), { needsApproval })).steps).toEqual([]);
  });

  it("resumes an onboarding that failed half-way, creating nothing twice", async () => {
    const project = "tenant-beta";
    await sandbox.world.injectFault({
      method: "POST",
      path: `/${ORG}/${project}/_apis/pipelines`,
      status: 503,
      message: "TF246017: The service is temporarily unavailable.",
    });
    const failed = await failure<AzureDevOpsFactoryError>(
      apply(factory, blueprint(project), { needsApproval, secrets }),
    );
    expect(failed).toBeInstanceOf(AzureDevOpsFactoryError);
    expect(failed).toMatchObject({ operation: "pipelines_create_pipeline", status: 503 });
    expect((await factory.call("repos_list_repositories", { project })).length).toBe(2);

    const resumed = await plan(factory, blueprint(project), { needsApproval });
    expect(resumed.steps[0]?.tool).toBe("pipelines_create_pipeline");
    expect(resumed.steps.map((s) => s.tool)).not.toContain("projects_create_project");
    expect(resumed.steps.map((s) => s.tool)).not.toContain("repos_create_repository");
    await apply(factory, blueprint(project), { needsApproval, secrets, approved: () => true });
    expect((await factory.call("repos_list_repositories", { project })).map((r) => r.name).sort()).toEqual([
      "tenant-beta-app",
      "tenant-beta-infra",
    ]);
    expect(await factory.call("pipelines_list_runs", { project, name: "tenant-beta-app-ci" })).toHaveLength(
      1,
    );
    expect(await factory.call("boards_query_work_items", { project, type: "Epic" })).toHaveLength(1);
    expect((await plan(factory, blueprint(project), { needsApproval })).steps).toEqual([]);
  });

  it("applies nothing with a token outside its scopes, and refuses a blueprint with a secret value, naming the field", async () => {
    const reader = new AzureDevOpsFactory({
      orgUrl: sandbox.orgUrl,
      token: await sandbox.world.pat(ORG, "auditor@acme.test", [
        "vso.project",
        "vso.code",
        "vso.build",
        "vso.graph",
      ]),
      kind: "pat",
    });
    const refused = await failure<AzureDevOpsFactoryError>(
      apply(reader, blueprint("tenant-gamma"), { needsApproval, secrets }),
    );
    expect(refused).toMatchObject({ operation: "projects_create_project", status: 401 });
    expect(await factory.call("projects_get_project", { project: "tenant-gamma" })).toBeNull();

    const leaked = blueprint("tenant-delta");
    (leaked.variableGroups[0]?.variables as Record<string, unknown>).DB_PASSWORD = { secret: "hunter2" };
    const bad = await failure<Error>(plan(factory, leaked));
    expect(bad.message).toMatch(/secret:\/\/ reference/);
    expect(JSON.stringify((bad as { issues?: { path: unknown[] }[] }).issues?.[0]?.path)).toBe(
      JSON.stringify(["variableGroups", 0, "variables", "DB_PASSWORD", "secret"]),
    );
    const orphan = { ...blueprint("tenant-delta"), pipelines: [{ name: "x", repo: "nope" }] };
    expect((await failure<Error>(plan(factory, orphan))).message).toMatch(
      /nope is not one of the blueprint's repos/,
    );
    expect(await factory.call("projects_get_project", { project: "tenant-delta" })).toBeNull();
  });
});
