import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { toolInScope } from "../../controller/client/glob.ts";
import { aiServer, type SpawnedAgent, SpawnRegistry, SpawnRegistryFull } from "./server.ts";

const ALL = [
  "agents_spawn_agent",
  "agents_list_agents",
  "budgets_get_budgets",
  "budgets_check_budget",
  "usage_record_usage",
  "models_list_models",
];

describe("the AI server", () => {
  const server = aiServer();

  it("offers its six tools, each on the tenant's team, in toolsets it declares", () => {
    expect(server.tools.map((t) => t.name)).toEqual(ALL);
    for (const tool of server.tools) {
      expect(Object.keys(server.toolsets)).toContain(tool.toolset);
      expect(tool.resource({} as never, { tenant: "acme" } as never)).toEqual({ kind: "team", name: "acme" });
      expect(tool.hints.openWorldHint, tool.name).toBe(false);
    }
    const writes = server.tools.filter((t) => !t.hints.readOnlyHint).map((t) => t.name);
    expect(writes).toEqual(["agents_spawn_agent", "usage_record_usage"]);
    for (const tool of server.tools.filter((t) => !t.hints.readOnlyHint))
      expect(tool.hints).toEqual({
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      });
  });

  it("names its tools as the AI role templates do: founders spawn, every persona checks and records", async () => {
    const file = parse(await readFile(join(import.meta.dirname, "../../policies/roles/ai.yaml"), "utf8")) as {
      roles: Record<string, { scopes: { tools: string[] }[] }>;
    };
    const allowed = Object.fromEntries(
      Object.entries(file.roles).map(([role, t]) => [role, ALL.filter((n) => toolInScope(t.scopes, n))]),
    );
    const all = ALL;
    const noSpawn = ALL.filter((n) => n !== "agents_spawn_agent");
    expect(allowed).toEqual({ founder: all, dev: noSpawn, ops: noSpawn, sec: noSpawn, finance: noSpawn });
  });
});

describe("the spawn registry", () => {
  const child = (agentId: string, expiresAt: string): SpawnedAgent => ({
    agentId,
    parentId: "agt_parent",
    tenant: "acme",
    persona: "dev",
    role: "dev",
    server: "ai",
    scope: [],
    depth: 1,
    expiresAt,
    reason: "work",
    token: "not-a-real-grant",
  });

  it("hands each child over once, drops expired ones and refuses more than it holds", async () => {
    let now = new Date("2030-01-01T00:00:00Z");
    const registry = new SpawnRegistry({ capacity: 2, clock: () => now });
    await registry.hold(child("agt_a", "2030-01-01T00:30:00Z"));
    await registry.hold(child("agt_b", "2030-01-01T01:00:00Z"));
    await expect(registry.hold(child("agt_c", "2030-01-01T01:00:00Z"))).rejects.toBeInstanceOf(
      SpawnRegistryFull,
    );
    expect(registry.claim("agt_b")?.agentId).toBe("agt_b");
    expect(registry.claim("agt_b")).toBeUndefined();
    now = new Date("2030-01-01T00:30:00Z");
    expect(registry.size).toBe(0);
    expect(registry.claim("agt_a")).toBeUndefined();
    await registry.hold(child("agt_c", "2030-01-01T01:00:00Z"));
    expect(registry.size).toBe(1);
  });
});
