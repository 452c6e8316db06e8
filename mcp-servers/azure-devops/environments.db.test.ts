import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAdoSandbox, startAdoSandbox } from "../../test/support/ado-sandbox.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { failure } from "../../test/support/failure.ts";
import { OperationInputError } from "../shared/operation.ts";
import { request } from "./area-client.ts";
import { AzureDevOpsFactoryError } from "./errors.ts";
import { AzureDevOpsFactory } from "./factory.ts";

const project = "tenant-envs";
const production = { project, environment: "production" };
const ADA = "3b3db741-9d03-4e32-a7c0-6c3dfc2013c1";
const GRACE = "0f6c1c53-57b8-4b6a-9d3c-1f3f6b0c2a77";

describe.each(backends)("pipeline environments with approval checks against the sandbox on %s", (backend) => {
  let database: TestDatabase;
  let sandbox: RunningAdoSandbox;
  let admin: AzureDevOpsFactory;
  const factory = (token: string) => new AzureDevOpsFactory({ orgUrl: sandbox.orgUrl, token, kind: "pat" });

  beforeAll(async () => {
    database = await freshDatabase(backend);
    sandbox = await startAdoSandbox({ database, org: "acme-org" });
    admin = factory(await sandbox.pat());
    await admin.call("projects_create_project", { project });
  });
  afterAll(async () => {
    await sandbox.close();
    await database.dispose();
  });

  it("creates an environment once: a second call returns the same one", async () => {
    expect(await admin.call("pipelines_get_environment", production)).toBeNull();
    const created = await admin.call("pipelines_create_environment", {
      ...production,
      description: "Customer-facing",
    });
    expect(created).toEqual({
      id: expect.any(Number),
      name: "production",
      description: "Customer-facing",
      created: true,
    });
    expect(await admin.call("pipelines_create_environment", production)).toEqual({
      ...created,
      created: false,
    });
    expect(await admin.call("pipelines_get_environment", { project, environment: "PRODUCTION" })).toEqual({
      id: created.id,
      name: "production",
      description: "Customer-facing",
    });

    const agents = await admin.client.getTaskAgentApi();
    const all = await agents.getEnvironments(project);
    expect(all.map((e) => [e.id, e.name, e.project?.name])).toEqual([[created.id, "production", project]]);
    expect(all[0]?.createdOn).toBeInstanceOf(Date);
    expect((await agents.getEnvironmentById(project, created.id))?.name).toBe("production");
    expect(await agents.getEnvironmentById(project, 987_654)).toBeNull();
    const duplicate = await failure<{ statusCode: number; result: { typeKey: string; message: string } }>(
      agents.addEnvironment({ name: "Production" }, project),
    );
    expect(duplicate).toMatchObject({ statusCode: 409, result: { typeKey: "EnvironmentExistsException" } });
    expect(duplicate.result.message).toBe(`Environment 'Production' already exists in project ${project}.`);
  });

  it("sets one approval check on an environment, then updates it in place", async () => {
    const approval = {
      ...production,
      approvers: [ADA],
      instructions: "Check the release notes",
    };
    const first = await admin.call("pipelines_set_environment_approval", approval);
    const environment = await admin.call("pipelines_get_environment", production);
    expect(first).toEqual({
      id: expect.any(Number),
      environmentId: environment?.id,
      created: true,
      updated: false,
    });
    expect(await admin.call("pipelines_list_environment_checks", production)).toEqual([
      {
        id: first.id,
        type: "Approval",
        timeoutMinutes: 43_200,
        approvers: [ADA],
        minRequiredApprovers: 0,
        instructions: "Check the release notes",
      },
    ]);
    expect(await admin.call("pipelines_set_environment_approval", approval)).toEqual({
      ...first,
      created: false,
    });

    const changed = await admin.call("pipelines_set_environment_approval", {
      ...approval,
      approvers: [ADA, GRACE],
      minRequiredApprovers: 1,
      timeoutMinutes: 60,
      requesterCannotBeApprover: true,
    });
    expect(changed).toEqual({ ...first, created: false, updated: true });
    expect(await admin.call("pipelines_list_environment_checks", production)).toEqual([
      {
        id: first.id,
        type: "Approval",
        timeoutMinutes: 60,
        approvers: [ADA, GRACE],
        minRequiredApprovers: 1,
        instructions: "Check the release notes",
      },
    ]);

    // What the service stores, read the way Azure DevOps answers: settings only when expanded.
    const checks = {
      areaId: "4a933897-0488-45af-bd82-6fd3ad33f46a",
      area: "PipelinesChecks",
      locationId: "86c8381e-5aee-4cde-8ae4-25c0c7f5eaea",
      version: "7.2-preview.1",
    };
    const plain = await request<{ settings?: unknown; version: number; resource: unknown }[]>(
      admin.client,
      checks,
      "GET",
      { route: { project }, query: { resourceType: "environment", resourceId: environment?.id }, list: true },
    );
    expect(plain).toHaveLength(1);
    expect(plain?.[0]).not.toHaveProperty("settings");
    expect(plain?.[0]).toMatchObject({
      version: 2,
      resource: { type: "environment", id: String(environment?.id), name: "production" },
    });
    const one = await request<{ settings: Record<string, unknown> }>(admin.client, checks, "GET", {
      route: { project, id: first.id },
      query: { $expand: "settings" },
    });
    expect(one?.settings).toMatchObject({ executionOrder: "anyOrder", requesterCannotBeApprover: true });
  });

  it("holds tokens to their scopes: Build (read) reads checks but sets neither environments nor approvals", async () => {
    const reader = factory(await sandbox.pat(["vso.build", "vso.project"]));
    const refused = await failure<AzureDevOpsFactoryError>(
      reader.call("pipelines_create_environment", { project, environment: "staging" }),
    );
    expect(refused).toBeInstanceOf(AzureDevOpsFactoryError);
    expect(refused).toMatchObject({
      operation: "pipelines_create_environment",
      resource: `${project}/environments/staging`,
      status: 401,
      typeKey: "UnauthorizedRequestException",
    });

    const environments = factory(await sandbox.pat(["vso.environment_manage", "vso.build"]));
    expect(await environments.call("pipelines_list_environment_checks", production)).toHaveLength(1);
    const noExecute = await failure<AzureDevOpsFactoryError>(
      environments.call("pipelines_set_environment_approval", { ...production, approvers: [GRACE] }),
    );
    expect(noExecute).toMatchObject({ status: 401, typeKey: "UnauthorizedRequestException" });
    expect(
      (await admin.call("pipelines_list_environment_checks", production)).map((k) => k.approvers),
    ).toEqual([[ADA, GRACE]]);
    expect(await admin.call("pipelines_get_environment", { project, environment: "staging" })).toBeNull();
  });

  it("refuses malformed input by field, before anything is sent", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ project, environment: "prod/eu" }, "environment"],
      [{ ...production, approvers: ["ada@example.com"] }, "approvers.0"],
      [{ ...production, approvers: [] }, "approvers"],
      [{ ...production, approvers: [ADA], minRequiredApprovers: 2 }, "minRequiredApprovers"],
      [{ ...production, approvers: [ADA], timeoutMinutes: 50_000 }, "timeoutMinutes"],
    ];
    for (const [input, field] of cases) {
      const bad = await failure<OperationInputError>(
        admin.call("pipelines_set_environment_approval", input as never),
      );
      expect(bad).toBeInstanceOf(OperationInputError);
      expect(bad).toMatchObject({ operation: "pipelines_set_environment_approval", field });
    }
  });

  it("reports a missing project or environment as a typed 404", async () => {
    const ghost = { project: "tenant-ghost", environment: "production" };
    for (const name of [
      "pipelines_create_environment",
      "pipelines_get_environment",
      "pipelines_list_environment_checks",
    ] as const)
      expect(await failure(admin.call(name, ghost))).toMatchObject({
        operation: name,
        status: 404,
        typeKey: "ProjectDoesNotExistWithNameException",
      });
    const missing = await failure<AzureDevOpsFactoryError>(
      admin.call("pipelines_set_environment_approval", {
        project,
        environment: "nowhere",
        approvers: [ADA],
      }),
    );
    expect(missing).toBeInstanceOf(AzureDevOpsFactoryError);
    expect(missing).toMatchObject({
      operation: "pipelines_set_environment_approval",
      resource: `${project}/environments/nowhere/checks/approval`,
      status: 404,
      typeKey: "EnvironmentNotFoundException",
    });
  });
});
