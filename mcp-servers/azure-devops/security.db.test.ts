import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAdoSandbox, startAdoSandbox } from "../../test/support/ado-sandbox.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { failure } from "../../test/support/failure.ts";
import { OperationInputError } from "../shared/operation.ts";
import { AzureDevOpsFactoryError } from "./errors.ts";
import { AzureDevOpsFactory } from "./factory.ts";

const ORG = "acme-org";
const project = "tenant-acme";
const team = {
  founder: "founder@acme.test",
  dev: "dev@acme.test",
  sec: "sec@acme.test",
  finance: "finance@acme.test",
};

describe.each(backends)("Azure DevOps groups, membership and permissions on %s", (backend) => {
  let database: TestDatabase;
  let sandbox: RunningAdoSandbox;
  let admin: AzureDevOpsFactory;
  const as = async (user: string, scopes?: string[]) =>
    new AzureDevOpsFactory({
      orgUrl: sandbox.orgUrl,
      token: await sandbox.world.pat(ORG, user, scopes),
      kind: "pat",
    });
  const push = (factory: AzureDevOpsFactory, path: string) =>
    factory.call("repos_push_files", {
      project,
      repo: "acme-app",
      message: `add ${path}`,
      files: [{ path, content: `${path}\n` }],
    });

  beforeAll(async () => {
    database = await freshDatabase(backend);
    sandbox = await startAdoSandbox({ database, org: ORG });
    admin = new AzureDevOpsFactory({ orgUrl: sandbox.orgUrl, token: await sandbox.pat(), kind: "pat" });
    await admin.call("projects_create_project", { project });
    await admin.call("repos_create_repository", { project, repo: "acme-app" });
    await admin.call("repos_push_files", {
      project,
      repo: "acme-app",
      message: "Scaffold",
      files: [{ path: "azure-pipelines.yml", content: "steps:\n  - script: npm test\n" }],
    });
    await admin.call("pipelines_create_pipeline", { project, name: "acme-app-ci", repo: "acme-app" });
  });
  afterAll(async () => {
    await sandbox.close();
    await database.dispose();
  });

  it("gives a new project Azure DevOps' default groups, and creates the reporting group once", async () => {
    const names = (await admin.call("security_list_groups", { project })).map((g) => g.name);
    expect(names).toEqual([
      "Project Administrators",
      "Contributors",
      "Readers",
      "Build Administrators",
      "Project Valid Users",
    ]);
    const first = await admin.call("security_create_group", {
      project,
      name: "Reporting",
      description: "finance",
    });
    expect(first).toMatchObject({ name: "Reporting", created: true });
    expect(first.descriptor).toMatch(/^vssgp\./);
    expect(await admin.call("security_create_group", { project, name: "reporting" })).toEqual({
      ...first,
      created: false,
    });
    expect(
      (await admin.call("security_list_groups", { project })).filter((g) => g.name === "Reporting"),
    ).toHaveLength(1);
  });

  it("puts each persona in its group once, and lists the members by name", async () => {
    const placements = [
      ["Project Administrators", team.founder],
      ["Contributors", team.dev],
      ["Readers", team.sec],
      ["Reporting", team.finance],
      ["Readers", "Reporting"],
    ] as const;
    for (const [group, member] of placements)
      expect(await admin.call("security_add_member", { project, group, member })).toEqual({ added: true });
    for (const [group, member] of placements)
      expect(await admin.call("security_add_member", { project, group, member })).toEqual({ added: false });
    expect(await admin.call("security_list_members", { project, group: "Readers" })).toEqual([
      { name: "Reporting", kind: "group" },
      { name: team.sec, kind: "user" },
    ]);
    expect(await admin.call("security_list_members", { project, group: "Contributors" })).toEqual([
      { name: team.dev, kind: "user" },
    ]);
  });

  it("enforces the groups' permissions: contributors push and queue runs, readers (and groups in them) do not", async () => {
    const dev = await as(team.dev);
    expect(await push(dev, "dev.txt")).toMatchObject({ changed: true });
    expect(await dev.call("pipelines_run_pipeline", { project, name: "acme-app-ci" })).toMatchObject({
      state: "inProgress",
    });
    for (const user of [team.sec, team.finance]) {
      const refused = await failure<AzureDevOpsFactoryError>(push(await as(user), `${user}.txt`));
      expect(refused).toBeInstanceOf(AzureDevOpsFactoryError);
      expect(refused).toMatchObject({ status: 403, typeKey: "GitNeedsPermissionException" });
      expect(refused.serviceMessage).toMatch(/^TF401027: .*GenericContribute/);
      expect(
        await admin.call("repos_get_file", { project, repo: "acme-app", path: `${user}.txt` }),
      ).toBeNull();
    }
    const queue = await failure<AzureDevOpsFactoryError>(
      (await as(team.sec)).call("pipelines_run_pipeline", { project, name: "acme-app-ci" }),
    );
    expect(queue).toMatchObject({ status: 403, typeKey: "AccessDeniedException" });
  });

  it("sets explicit permissions on one repository and one pipeline, merging, and they take effect", async () => {
    const denied = await admin.call("security_set_permissions", {
      project,
      group: "Contributors",
      on: "repositories",
      name: "acme-app",
      deny: ["Contribute", "ForcePush"],
    });
    expect(denied).toMatchObject({ changed: true, allow: [], deny: ["Contribute", "ForcePush"] });
    expect(denied.token).toMatch(/^repoV2\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
    const refused = await failure<AzureDevOpsFactoryError>(push(await as(team.dev), "after-deny.txt"));
    expect(refused).toMatchObject({ status: 403, typeKey: "GitNeedsPermissionException" });

    const allowed = await admin.call("security_set_permissions", {
      project,
      group: "Contributors",
      on: "repositories",
      name: "acme-app",
      allow: ["Contribute"],
    });
    expect(allowed).toMatchObject({ changed: true, allow: ["Contribute"], deny: ["ForcePush"] });
    expect(await push(await as(team.dev), "after-allow.txt")).toMatchObject({ changed: true });
    const again = await admin.call("security_set_permissions", {
      project,
      group: "Contributors",
      on: "repositories",
      name: "acme-app",
      allow: ["Contribute"],
    });
    expect(again).toMatchObject({ changed: false });
    expect(
      await admin.call("security_get_permissions", {
        project,
        group: "Contributors",
        on: "repositories",
        name: "acme-app",
      }),
    ).toEqual({ token: denied.token, allow: ["Contribute"], deny: ["ForcePush"] });

    await admin.call("security_set_permissions", {
      project,
      group: "Readers",
      on: "pipelines",
      name: "acme-app-ci",
      allow: ["QueueBuilds"],
    });
    expect(
      await (await as(team.sec)).call("pipelines_run_pipeline", { project, name: "acme-app-ci" }),
    ).toMatchObject({
      state: "inProgress",
    });
    expect(
      await admin.call("security_get_permissions", { project, group: "Readers", on: "pipelines" }),
    ).toMatchObject({
      allow: ["ViewBuilds", "ViewBuildDefinition"],
      deny: [],
    });
  });

  it("refuses bad input by field, unknown groups and targets by type, and tokens without the scope", async () => {
    const unknownBit = await failure<OperationInputError>(
      admin.call("security_set_permissions", {
        project,
        group: "Readers",
        on: "pipelines",
        allow: ["Contribute"],
      }),
    );
    expect(unknownBit).toBeInstanceOf(OperationInputError);
    expect(unknownBit).toMatchObject({ field: "allow.0" });
    expect(unknownBit.message).toMatch(/Contribute is not a pipelines permission/);
    const both = await failure<OperationInputError>(
      admin.call("security_set_permissions", {
        project,
        group: "Readers",
        on: "repositories",
        allow: ["Read"],
        deny: ["Read"],
      }),
    );
    expect(both).toMatchObject({ field: "deny" });
    const badGroup = await failure<OperationInputError>(
      admin.call("security_create_group", { project, name: "a/b" }),
    );
    expect(badGroup).toMatchObject({ field: "name" });

    const noGroup = await failure<AzureDevOpsFactoryError>(
      admin.call("security_add_member", { project, group: "Owners", member: team.dev }),
    );
    expect(noGroup).toMatchObject({
      status: 404,
      typeKey: "GraphSubjectNotFoundException",
      operation: "security_add_member",
    });
    const noRepo = await failure<AzureDevOpsFactoryError>(
      admin.call("security_get_permissions", { project, group: "Readers", on: "repositories", name: "nope" }),
    );
    expect(noRepo).toMatchObject({ status: 404, typeKey: "GitRepositoryNotFoundException" });
    const noProject = await failure<AzureDevOpsFactoryError>(
      admin.call("security_list_groups", { project: "tenant-nobody" }),
    );
    expect(noProject).toMatchObject({ status: 404, typeKey: "ProjectDoesNotExistWithNameException" });

    const reader = await as("auditor@acme.test", ["vso.project", "vso.graph"]);
    expect((await reader.call("security_list_groups", { project })).length).toBe(6);
    const refused = await failure<AzureDevOpsFactoryError>(
      reader.call("security_create_group", { project, name: "Shadow admins" }),
    );
    expect(refused).toMatchObject({ status: 401, typeKey: "UnauthorizedRequestException" });
    const noAcl = await failure<AzureDevOpsFactoryError>(
      reader.call("security_get_permissions", { project, group: "Readers", on: "repositories" }),
    );
    expect(noAcl).toMatchObject({ status: 401 });
    expect((await admin.call("security_list_groups", { project })).map((g) => g.name)).not.toContain(
      "Shadow admins",
    );
  });
});
