import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAdoSandbox, startAdoSandbox } from "../../test/support/ado-sandbox.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { failure } from "../../test/support/failure.ts";
import { OperationInputError } from "../shared/operation.ts";
import { AzureDevOpsFactoryError } from "./errors.ts";
import { AzureDevOpsFactory } from "./factory.ts";

describe.each(backends)("the Azure DevOps factory against the sandbox on %s", (backend) => {
  let database: TestDatabase;
  let sandbox: RunningAdoSandbox;
  let admin: AzureDevOpsFactory;
  const factory = (token: string) => new AzureDevOpsFactory({ orgUrl: sandbox.orgUrl, token, kind: "pat" });

  beforeAll(async () => {
    database = await freshDatabase(backend);
    sandbox = await startAdoSandbox({ database, org: "acme-org" });
    admin = factory(await sandbox.pat());
  });
  afterAll(async () => {
    await sandbox.close();
    await database.dispose();
  });

  it("creates a project through the queue, waiting until it is well-formed, with the real client", async () => {
    const created = await admin.call("projects_create_project", {
      project: "tenant-acme",
      description: "Acme",
    });
    expect(created).toMatchObject({
      name: "tenant-acme",
      description: "Acme",
      state: "wellFormed",
      visibility: "private",
    });
    expect(await admin.call("projects_get_project", { project: "tenant-acme" })).toEqual(created);
    expect(await admin.call("projects_get_project", { project: created.id })).toEqual(created);
    expect(await admin.call("projects_list_projects", {})).toEqual([
      { id: created.id, name: "tenant-acme", state: "wellFormed" },
    ]);
    expect(await admin.call("projects_get_project", { project: "tenant-nobody" })).toBeNull();
  });

  it("reports the service's refusal with its status, message and typeKey, and refuses bad input by field", async () => {
    const duplicate = await failure<AzureDevOpsFactoryError>(
      admin.call("projects_create_project", { project: "tenant-acme" }),
    );
    expect(duplicate).toBeInstanceOf(AzureDevOpsFactoryError);
    expect(duplicate).toMatchObject({
      operation: "projects_create_project",
      resource: "project tenant-acme",
      status: 409,
      typeKey: "ProjectAlreadyExistsException",
    });
    expect(duplicate.serviceMessage).toMatch(/^TF200019:/);
    const bad = await failure<OperationInputError>(
      admin.call("projects_create_project", { project: "bad/name" }),
    );
    expect(bad).toBeInstanceOf(OperationInputError);
    expect(bad).toMatchObject({ field: "project" });
  });

  it("holds a PAT to its scopes: a read-only token reads but cannot create", async () => {
    const reader = factory(await sandbox.pat(["vso.project"]));
    expect((await reader.call("projects_get_project", { project: "tenant-acme" }))?.name).toBe("tenant-acme");
    const refused = await failure<AzureDevOpsFactoryError>(
      reader.call("projects_create_project", { project: "tenant-rogue" }),
    );
    expect(refused).toMatchObject({ status: 401, typeKey: "UnauthorizedRequestException" });
    expect(await admin.call("projects_get_project", { project: "tenant-rogue" })).toBeNull();
    const foreign = factory("x".repeat(52));
    await expect(foreign.call("projects_list_projects", {})).rejects.toMatchObject({ status: 401 });
  });
  it("creates repositories and pushes a scaffold with a pipeline YAML, once, then only what changed", async () => {
    const app = { project: "tenant-acme", repo: "acme-app" };
    const repo = await admin.call("repos_create_repository", app);
    expect(repo).toMatchObject({ name: "acme-app", project: "tenant-acme", defaultBranch: null });
    const pipeline = "trigger:\n  - main\npool:\n  vmImage: ubuntu-latest\nsteps:\n  - script: npm test\n";
    const scaffold = {
      ...app,
      message: "Scaffold",
      files: [
        { path: "package.json", content: '{ "name": "acme-app" }\n' },
        { path: "azure-pipelines.yml", content: pipeline },
      ],
    };
    const first = await admin.call("repos_push_files", scaffold);
    expect(first).toMatchObject({ changed: true, files: ["package.json", "azure-pipelines.yml"] });
    expect((await admin.call("repos_get_repository", app))?.defaultBranch).toBe("main");
    expect(await admin.call("repos_get_file", { ...app, path: "azure-pipelines.yml" })).toBe(pipeline);
    expect(await admin.call("repos_push_files", scaffold)).toEqual({
      commitId: null,
      changed: false,
      files: [],
    });
    const edit = await admin.call("repos_push_files", {
      ...app,
      message: "Rename",
      files: [
        { path: "package.json", content: '{ "name": "acme-app", "private": true }\n' },
        { path: "azure-pipelines.yml", delete: true },
      ],
    });
    expect(edit.files).toEqual(["package.json", "azure-pipelines.yml"]);
    expect(await admin.call("repos_get_file", { ...app, path: "azure-pipelines.yml" })).toBeNull();
    expect(
      (await admin.call("repos_list_repositories", { project: "tenant-acme" })).map((r) => r.name),
    ).toEqual(["acme-app"]);

    const duplicate = await failure<AzureDevOpsFactoryError>(admin.call("repos_create_repository", app));
    expect(duplicate).toMatchObject({ status: 409, typeKey: "GitRepositoryNameAlreadyExistsException" });
    const git = await admin.client.getGitApi();
    const stale = await failure<{ statusCode: number; result: { typeKey: string } }>(
      git.createPush(
        {
          refUpdates: [{ name: "refs/heads/main", oldObjectId: "0".repeat(40) }],
          commits: [{ comment: "stale", changes: [] }],
        },
        "acme-app",
        "tenant-acme",
      ),
    );
    expect(stale).toMatchObject({ statusCode: 409, result: { typeKey: "GitReferenceStaleException" } });

    const reader = factory(await sandbox.pat(["vso.code", "vso.project"]));
    expect(await reader.call("repos_get_file", { ...app, path: "package.json" })).toMatch(/private/);
    const refused = await failure<AzureDevOpsFactoryError>(
      reader.call("repos_push_files", { ...app, message: "m", files: [{ path: "x", content: "x" }] }),
    );
    expect(refused).toMatchObject({ status: 401 });
    expect(await admin.call("repos_get_file", { ...app, path: "x" })).toBeNull();
  });
  it("creates a YAML pipeline from the repository and records a first run that completes", async () => {
    const ci = { project: "tenant-acme", repo: "acme-ci" };
    await admin.call("repos_create_repository", ci);
    await admin.call("repos_push_files", {
      ...ci,
      message: "CI",
      files: [
        { path: "azure-pipelines.yml", content: "trigger:\n  - main\nsteps:\n  - script: npm test\n" },
        { path: "broken.yml", content: "trigger:\n  - main\n" },
      ],
    });
    const pipeline = await admin.call("pipelines_create_pipeline", {
      project: "tenant-acme",
      name: "acme-ci",
      repo: "acme-ci",
    });
    expect(pipeline).toMatchObject({ name: "acme-ci", path: "azure-pipelines.yml" });
    expect(await admin.call("pipelines_get_pipeline", { project: "tenant-acme", name: "acme-ci" })).toEqual({
      ...pipeline,
      folder: "\\",
    });
    const duplicate = await failure<AzureDevOpsFactoryError>(
      admin.call("pipelines_create_pipeline", { project: "tenant-acme", name: "acme-ci", repo: "acme-ci" }),
    );
    expect(duplicate).toMatchObject({ status: 409, typeKey: "DefinitionExistsException" });
    const missing = await failure<AzureDevOpsFactoryError>(
      admin.call("pipelines_create_pipeline", {
        project: "tenant-acme",
        name: "other",
        repo: "acme-ci",
        yamlPath: "nope.yml",
      }),
    );
    expect(missing).toMatchObject({ status: 400 });

    const run = await admin.call("pipelines_run_pipeline", { project: "tenant-acme", name: "acme-ci" });
    expect(run).toMatchObject({ state: "inProgress", result: null });
    await new Promise((r) => setTimeout(r, 120));
    expect(
      await admin.call("pipelines_get_run", { project: "tenant-acme", name: "acme-ci", runId: run.id }),
    ).toMatchObject({
      state: "completed",
      result: "succeeded",
    });
    await admin.call("pipelines_create_pipeline", {
      project: "tenant-acme",
      name: "broken",
      repo: "acme-ci",
      yamlPath: "broken.yml",
    });
    const broken = await admin.call("pipelines_run_pipeline", { project: "tenant-acme", name: "broken" });
    await new Promise((r) => setTimeout(r, 120));
    expect(
      (await admin.call("pipelines_get_run", { project: "tenant-acme", name: "broken", runId: broken.id }))
        .result,
    ).toBe("failed");
    // The log, through the Build API: each script step's section, its commands, what its echoes print.
    expect(
      await admin.call("pipelines_get_run_log", { project: "tenant-acme", name: "acme-ci", runId: run.id }),
    ).toEqual({
      lines: ["##[section]Starting: CmdLine", "> npm test", "##[section]Finishing: CmdLine"],
    });
    // A run's id is unique in the project: asked through another pipeline, it is that pipeline's 404.
    const elsewhere = await failure<AzureDevOpsFactoryError>(
      admin.call("pipelines_get_run_log", { project: "tenant-acme", name: "broken", runId: run.id }),
    );
    expect(elsewhere).toMatchObject({ operation: "pipelines_get_run_log", status: 404 });
    const noSuchRun = await failure<AzureDevOpsFactoryError>(
      admin.call("pipelines_get_run", { project: "tenant-acme", name: "broken", runId: run.id }),
    );
    expect(noSuchRun).toMatchObject({ status: 404, typeKey: "PipelineRunNotFoundException" });

    const reader = factory(await sandbox.pat(["vso.build", "vso.code", "vso.project"]));
    expect(
      await reader.call("pipelines_get_pipeline", { project: "tenant-acme", name: "acme-ci" }),
    ).not.toBeNull();
    await expect(
      reader.call("pipelines_run_pipeline", { project: "tenant-acme", name: "acme-ci" }),
    ).rejects.toMatchObject({ status: 401 });
  });
  it("sets up agent pools, project queues and variable groups once, keeping secret values write-only", async () => {
    expect(await admin.call("pipelines_create_agent_pool", { pool: "acme-linux" })).toMatchObject({
      name: "acme-linux",
      created: true,
    });
    expect((await admin.call("pipelines_create_agent_pool", { pool: "acme-linux" })).created).toBe(false);
    const queue = await admin.call("pipelines_create_agent_queue", {
      project: "tenant-acme",
      pool: "acme-linux",
    });
    expect(queue).toMatchObject({ name: "acme-linux", created: true });
    expect(
      await admin.call("pipelines_create_agent_queue", { project: "tenant-acme", pool: "acme-linux" }),
    ).toEqual({ ...queue, created: false });
    const noPool = await failure<AzureDevOpsFactoryError>(
      admin.call("pipelines_create_agent_queue", { project: "tenant-acme", pool: "ghost" }),
    );
    expect(noPool).toMatchObject({ status: 404 });

    const secret = "npm_secretValueNeverReadBack0042";
    const group = {
      project: "tenant-acme",
      name: "acme-app-settings",
      variables: { NODE_VERSION: { value: "20" }, NPM_TOKEN: { value: secret, isSecret: true } },
    };
    expect(await admin.call("pipelines_set_variable_group", group)).toMatchObject({
      created: true,
      variables: ["NODE_VERSION", "NPM_TOKEN"],
    });
    expect(await sandbox.world.secretMatches("acme-org", "acme-app-settings", "NPM_TOKEN", secret)).toBe(
      true,
    );
    const [read] = await (await admin.client.getTaskAgentApi()).getVariableGroups(
      "tenant-acme",
      "acme-app-settings",
    );
    expect(read?.variables?.NPM_TOKEN).toEqual({ value: null, isSecret: true });
    expect(JSON.stringify(read)).not.toContain(secret);
    const replaced = await admin.call("pipelines_set_variable_group", {
      ...group,
      variables: { NODE_VERSION: { value: "22" } },
    });
    expect(replaced).toMatchObject({ created: false, variables: ["NODE_VERSION"] });

    const reader = factory(await sandbox.pat(["vso.variablegroups_read", "vso.project"]));
    await expect(reader.call("pipelines_set_variable_group", group)).rejects.toMatchObject({ status: 401 });
  });
  it("keeps the startup's backlog: epics, features and tasks under them, queried by type and parent", async () => {
    const project = "tenant-acme";
    const epic = await admin.call("boards_create_work_item", {
      project,
      type: "Epic",
      title: "Launch the MVP",
      description: "<p>First customers</p>",
    });
    expect(epic).toMatchObject({ type: "Epic", title: "Launch the MVP", state: "New", parentId: null });
    const feature = await admin.call("boards_create_work_item", {
      project,
      type: "Feature",
      title: "Sign-up",
      parentId: epic.id,
    });
    expect(feature.parentId).toBe(epic.id);
    for (const title of ["Form", "Email check"])
      await admin.call("boards_create_work_item", { project, type: "Task", title, parentId: feature.id });
    expect(
      (await admin.call("boards_query_work_items", { project, type: "Task" })).map((w) => w.title),
    ).toEqual(["Form", "Email check"]);
    expect(
      (await admin.call("boards_query_work_items", { project, parentId: epic.id })).map((w) => w.title),
    ).toEqual(["Sign-up"]);
    expect(await admin.call("boards_get_work_item", { project, id: epic.id })).toEqual(epic);
    expect(await admin.call("boards_get_work_item", { project, id: 999_999 })).toBeNull();
    const orphan = await failure<AzureDevOpsFactoryError>(
      admin.call("boards_create_work_item", { project, type: "Task", title: "orphan", parentId: 999_999 }),
    );
    expect(orphan).toMatchObject({ status: 400, typeKey: "WorkItemLinkInvalidException" });
    const reader = factory(await sandbox.pat(["vso.work", "vso.project"]));
    expect((await reader.call("boards_query_work_items", { project, type: "Epic" })).length).toBe(1);
    await expect(
      reader.call("boards_create_work_item", { project, type: "Bug", title: "x" }),
    ).rejects.toMatchObject({ status: 401 });
  });
  it("creates a service connection once, never reading its secret back", async () => {
    const secret = "sp-client-secret-never-shown-0001";
    const connection = {
      project: "tenant-acme",
      name: "acme-azure",
      type: "azurerm" as const,
      url: "https://management.azure.com/",
      scheme: "ServicePrincipal",
      parameters: { tenantid: "t-1", serviceprincipalid: "sp-1", serviceprincipalkey: secret },
    };
    const first = await admin.call("service_connections_create_connection", connection);
    expect(first).toMatchObject({ name: "acme-azure", created: true });
    expect(await admin.call("service_connections_create_connection", connection)).toEqual({
      ...first,
      created: false,
    });
    expect(await admin.call("service_connections_list_connections", { project: "tenant-acme" })).toEqual([
      { id: first.id, name: "acme-azure", type: "azurerm", url: "https://management.azure.com/" },
    ]);
    const raw = await (await admin.client.getServiceEndpointApi()).getServiceEndpoints("tenant-acme");
    expect(JSON.stringify(raw)).not.toContain(secret);
    const limited = factory(await sandbox.pat(["vso.serviceendpoint", "vso.project"]));
    await expect(
      limited.call("service_connections_create_connection", { ...connection, name: "rogue" }),
    ).rejects.toMatchObject({ status: 401 });
  });
});
