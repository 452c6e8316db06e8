import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { azureDevOpsScopes } from "./azure-devops-scopes.ts";

const scopes = (...tools: string[]) => azureDevOpsScopes([{ tools, resources: ["tenant-acme"] }]);

describe("Azure DevOps PAT scopes for a grant's scope", () => {
  it("gives read tools read scopes, always with the project's", () => {
    expect(scopes("repos_get_*", "repos_list_*", "boards_get_work_item")).toEqual([
      "vso.code",
      "vso.project",
      "vso.work",
    ]);
    expect(scopes("pipelines_get_run")).toEqual(["vso.build", "vso.project"]);
  });

  it("gives write tools their area's write scope, and leaves out what a broader scope includes", () => {
    expect(
      scopes("repos_push_files", "repos_get_file", "pipelines_run_pipeline", "boards_create_work_item"),
    ).toEqual(["vso.build_execute", "vso.code_write", "vso.project", "vso.work_write"]);
    expect(scopes("projects_create_project", "projects_get_project")).toEqual(["vso.project_manage"]);
    expect(scopes("service_connections_create_connection")).toEqual([
      "vso.project",
      "vso.serviceendpoint_manage",
    ]);
  });

  it("gives tools with needs of their own exactly those", () => {
    expect(scopes("repos_create_repository")).toEqual(["vso.code_manage", "vso.project"]);
    expect(scopes("pipelines_create_agent_pool")).toEqual(["vso.agentpools_manage", "vso.project"]);
    expect(scopes("pipelines_set_variable_group")).toEqual(["vso.project", "vso.variablegroups_manage"]);
    expect(scopes("pipelines_create_pipeline")).toEqual(["vso.build_execute", "vso.code", "vso.project"]);
    expect(scopes("repos_set_branch_policies")).toEqual(["vso.code_manage", "vso.project"]);
    // A query only reads, although its verb is not one of the read verbs.
    expect(scopes("boards_query_work_items")).toEqual(["vso.project", "vso.work"]);
  });

  it("gives a blueprint's plan every read scope and its apply every write scope a project needs", () => {
    expect(scopes("plan_blueprint")).toEqual([
      "vso.agentpools",
      "vso.build",
      "vso.code",
      "vso.environment_manage",
      "vso.graph",
      "vso.project",
      "vso.security_manage",
      "vso.serviceendpoint",
      "vso.variablegroups_read",
      "vso.work",
    ]);
    expect(scopes("apply_*")).toEqual(scopes("apply_blueprint"));
    expect(scopes("apply_blueprint")).toContain("vso.serviceendpoint_manage");
    expect(scopes("apply_blueprint")).not.toContain("vso.tokens");
  });

  it("treats a wildcard verb as every write of the area, including the tools with needs of their own", () => {
    expect(scopes("pipelines_*")).toEqual([
      "vso.agentpools_manage",
      "vso.build_execute",
      "vso.code",
      "vso.environment_manage",
      "vso.project",
      "vso.variablegroups_manage",
    ]);
    expect(scopes("security_*")).toEqual(["vso.graph_manage", "vso.project", "vso.security_manage"]);
    expect(scopes("security_get_permissions")).toEqual(["vso.graph", "vso.project", "vso.security_manage"]);
  });

  it("reaches every area from a bare wildcard, and nothing from an unknown area", () => {
    expect(scopes("*")).toContain("vso.code_manage");
    expect(scopes("*")).toContain("vso.project_manage");
    expect(scopes("wiki_get_page")).toEqual(["vso.project"]);
  });

  it("maps each shipped Azure DevOps role to scopes", async () => {
    const file = join(import.meta.dirname, "../../policies/roles/azure-devops.yaml");
    const roles = parse(await readFile(file, "utf8")).roles as Record<
      string,
      { scopes: { tools: string[]; resources: string[] }[] }
    >;
    const byRole = Object.fromEntries(
      Object.entries(roles).map(([name, role]) => [name, azureDevOpsScopes(role.scopes)]),
    );
    // Reading environments needs their manage scope: Azure DevOps has no narrower one.
    expect(byRole.finance).toEqual([
      "vso.agentpools",
      "vso.build",
      "vso.environment_manage",
      "vso.project",
      "vso.variablegroups_read",
      "vso.work",
    ]);
    // The founder applies the tenant's blueprint, which may write everything a project holds.
    expect(byRole.founder).toEqual([
      "vso.agentpools_manage",
      "vso.build_execute",
      "vso.code_manage",
      "vso.environment_manage",
      "vso.graph_manage",
      "vso.project_manage",
      "vso.security_manage",
      "vso.serviceendpoint_manage",
      "vso.variablegroups_manage",
      "vso.work_write",
    ]);
    expect(byRole.sec).toEqual([
      "vso.agentpools",
      "vso.build",
      "vso.code_manage",
      "vso.environment_manage",
      "vso.graph_manage",
      "vso.project",
      "vso.security_manage",
      "vso.variablegroups_read",
      "vso.work_write",
    ]);
    expect(byRole.dev).toEqual([
      "vso.agentpools",
      "vso.build_execute",
      "vso.code_write",
      "vso.environment_manage",
      "vso.project",
      "vso.variablegroups_read",
      "vso.work_write",
    ]);
    expect(byRole.pipeline_dev).toEqual([
      "vso.agentpools",
      "vso.build_execute",
      "vso.code_write",
      "vso.environment_manage",
      "vso.project",
      "vso.variablegroups_read",
    ]);
  });
});
