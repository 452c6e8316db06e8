import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { globMatches } from "../../controller/client/glob.ts";
import { CredentialView } from "../../controller/client/views.ts";
import { AZURE_DEVOPS_OPERATIONS } from "./factory.ts";
import { tokenKind } from "./factory-cache.ts";
import { azureDevOpsServer } from "./server.ts";
import { nameInProject } from "./tools/common.ts";
import { AZURE_DEVOPS_TOOLS, AZURE_DEVOPS_TOOLSETS, PLATFORM_ONLY_TOOLS } from "./tools/index.ts";

const byName = new Map(AZURE_DEVOPS_TOOLS.map((t) => [t.name, t]));
const tool = (name: string) => {
  const found = byName.get(name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
};

describe("the Azure DevOps tools", () => {
  it("back every factory operation by its own name and input schema, plus the blueprint tools, each once", () => {
    const names = AZURE_DEVOPS_TOOLS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => !(n in AZURE_DEVOPS_OPERATIONS)).sort()).toEqual([
      "apply_blueprint",
      "plan_blueprint",
    ]);
    for (const [name, op] of Object.entries(AZURE_DEVOPS_OPERATIONS)) {
      expect(tool(name).input, name).toBe(op.input);
      expect(tool(name).hints.readOnlyHint, name).toBe(!op.write);
      expect(tool(name).description.startsWith(op.summary), name).toBe(true);
    }
  });

  it("say what they are: <area>_<verb>_<noun>, a title, a description, a known toolset and all four hints", () => {
    for (const t of AZURE_DEVOPS_TOOLS) {
      if (t.toolset !== "blueprints") expect(t.name).toMatch(/^[a-z]+(_[a-z]+){2,}$/);
      expect(t.title.length, t.name).toBeGreaterThan(3);
      expect(t.description.length, t.name).toBeGreaterThan(40);
      expect(Object.keys(AZURE_DEVOPS_TOOLSETS), t.name).toContain(t.toolset);
      expect(Object.keys(t.hints).sort(), t.name).toEqual([
        "destructiveHint",
        "idempotentHint",
        "openWorldHint",
        "readOnlyHint",
      ]);
      for (const hint of Object.values(t.hints)) expect(typeof hint, t.name).toBe("boolean");
      if (t.hints.readOnlyHint) expect(t.hints.destructiveHint, t.name).toBe(false);
    }
    expect(Object.keys(AZURE_DEVOPS_TOOLSETS).sort()).toEqual(
      [...new Set(AZURE_DEVOPS_TOOLS.map((t) => t.toolset))].sort(),
    );
    expect(tool("plan_blueprint").hints.readOnlyHint).toBe(true);
    expect(tool("apply_blueprint").hints).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    // Add-only writes are not destructive; updates and removals are.
    expect(tool("repos_create_repository").hints).toMatchObject({
      destructiveHint: false,
      idempotentHint: false,
    });
    expect(tool("security_add_member").hints).toMatchObject({ destructiveHint: false, idempotentHint: true });
    expect(tool("security_remove_member").hints.destructiveHint).toBe(true);
    expect(tool("pipelines_run_pipeline").hints.idempotentHint).toBe(false);
  });

  it("mark file contents and work items untrusted, and variable values and connection parameters sensitive", () => {
    expect(tool("repos_get_file").untrusted).toEqual(["content"]);
    expect(tool("boards_query_work_items").untrusted).toEqual(["items[].title", "items[].description"]);
    expect(tool("pipelines_set_variable_group").sensitive).toEqual(["variables"]);
    expect(tool("service_connections_create_connection").sensitive).toEqual(["parameters"]);
  });

  it("are each granted by some role template, or documented as platform-only", async () => {
    const file = join(import.meta.dirname, "../../policies/roles/azure-devops.yaml");
    const roles = parse(await readFile(file, "utf8")).roles as Record<
      string,
      { scopes: { tools: string[] }[] }
    >;
    const patterns = Object.values(roles).flatMap((r) => r.scopes.flatMap((s) => s.tools));
    const names = AZURE_DEVOPS_TOOLS.map((t) => t.name);
    const ungranted = names.filter((n) => !patterns.some((p) => globMatches(p, n)));
    expect(ungranted.filter((n) => !(PLATFORM_ONLY_TOOLS as readonly string[]).includes(n))).toEqual([]);
    // No template names a tool that does not exist.
    expect(patterns.filter((p) => !names.some((n) => globMatches(p, n)))).toEqual([]);
    for (const name of PLATFORM_ONLY_TOOLS) expect(tool(name).description).toMatch(/Platform-only/);
  });

  it("name resources as the role templates expect, and a name in another tenant's project matches none", () => {
    const tenant = ["tenant-acme", "acme-*"];
    const matches = (name: string) => tenant.some((p) => globMatches(p, name));
    const resource = (name: string, input: Record<string, unknown>) =>
      tool(name).resource(input as never, {} as never);
    expect(resource("repos_push_files", { project: "tenant-acme", repo: "acme-app" })).toEqual({
      kind: "repository",
      name: "acme-app",
    });
    expect(resource("pipelines_run_pipeline", { project: "tenant-acme", name: "acme-app-ci" })).toEqual({
      kind: "pipeline",
      name: "acme-app-ci",
    });
    expect(
      resource("service_connections_create_connection", { project: "tenant-acme", name: "acme-azure" }),
    ).toEqual({ kind: "service_connection", name: "acme-azure" });
    expect(resource("security_set_permissions", { project: "tenant-acme" })).toEqual({
      kind: "project",
      name: "tenant-acme",
    });
    expect(resource("apply_blueprint", { project: "tenant-acme" })).toEqual({
      kind: "project",
      name: "tenant-acme",
    });
    const intruding = resource("repos_push_files", { project: "tenant-globex", repo: "acme-app" });
    expect(intruding.name).toBe("tenant-globex/acme-app");
    expect(matches(intruding.name)).toBe(false);
    expect(nameInProject("tenant-acme", "app")).toBe("tenant-acme/app");
    expect(nameInProject("shared", "acme-app")).toBe("shared/acme-app");
    expect(matches(resource("projects_list_projects", {}).name)).toBe(false);
  });
});

describe("the Azure DevOps server", () => {
  it("offers every tool in its toolsets, as azure-devops", () => {
    const server = azureDevOpsServer();
    expect(server.name).toBe("azure-devops");
    expect(server.tools).toBe(AZURE_DEVOPS_TOOLS);
    expect(server.toolsets).toBe(AZURE_DEVOPS_TOOLSETS);
    expect(server.instructions).toMatch(/tenant-<tenant>/);
  });
});

describe("the factory cache", () => {
  const credential = (id: string, expiresAt: string, mode = "user PAT") =>
    CredentialView.parse({
      id,
      provider: "azure-devops",
      endpoint: "http://127.0.0.1:1/acme-org",
      token: "x".repeat(52),
      expiresAt,
      narrowed: true,
      detail: { mode },
    });

  it("uses a service principal's token as a bearer and every other credential as a PAT", () => {
    expect(tokenKind(credential("a", "2030-01-01T00:00:00Z", "service principal"))).toBe("bearer");
    expect(tokenKind(credential("a", "2030-01-01T00:00:00Z", "development PAT"))).toBe("pat");
  });
});
