import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAdoSandbox, startAdoSandbox } from "../../test/support/ado-sandbox.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { AzureDevOpsFactory } from "./factory.ts";
import type { AzureDevOpsContext } from "./tools/context.ts";
import { AZURE_DEVOPS_TOOLS } from "./tools/index.ts";

const ORG = "acme-org";
const project = "tenant-acme";
const app = { project, repo: "acme-app" };

describe.each(backends)("Azure DevOps tools refusing bad calls against the sandbox on %s", (backend) => {
  let database: TestDatabase;
  let sandbox: RunningAdoSandbox;

  beforeAll(async () => {
    database = await freshDatabase(backend);
    sandbox = await startAdoSandbox({ database, org: ORG });
  });
  afterAll(async () => {
    await sandbox.close();
    await database.dispose();
  });
  const tool = (name: string) =>
    AZURE_DEVOPS_TOOLS.find((t) => t.name === name) as (typeof AZURE_DEVOPS_TOOLS)[number];
  const issues = (name: string, raw: unknown) => {
    const parsed = tool(name).input.safeParse(raw);
    return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join("."));
  };

  it("names the malformed field before anything reaches Azure DevOps, secrets in blueprints included", () => {
    expect(
      issues("repos_push_files", { ...app, message: "m", files: [{ path: "/etc/passwd", content: "x" }] }),
    ).toEqual(["files.0.path"]);
    expect(issues("projects_create_project", { project: "bad/name" })).toEqual(["project"]);
    expect(
      issues("apply_blueprint", {
        project: "tenant-acme",
        variableGroups: [{ name: "acme-settings", variables: { DB_PASSWORD: { secret: "hunter2" } } }],
      }),
    ).toContain("variableGroups.0.variables.DB_PASSWORD.secret");
  });

  it("passes the provider's refusal through: a token without the scope changes nothing", async () => {
    const admin = new AzureDevOpsFactory({ orgUrl: sandbox.orgUrl, token: await sandbox.pat(), kind: "pat" });
    const reader: AzureDevOpsContext = {
      factory: new AzureDevOpsFactory({
        orgUrl: sandbox.orgUrl,
        token: await sandbox.pat(["vso.project"]),
        kind: "pat",
      }),
      secrets: async () => {
        throw new Error("no secrets in this test");
      },
    };
    const create = tool("projects_create_project");
    await expect(create.run(reader, create.input.parse({ project }))).rejects.toMatchObject({
      operation: "projects_create_project",
      status: 401,
    });
    const apply = tool("apply_blueprint");
    await expect(apply.run(reader, apply.input.parse({ project }))).rejects.toMatchObject({ status: 401 });
    expect(await admin.call("projects_get_project", { project })).toBeNull();
  });
});
