import { join, resolve } from "node:path";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { MemorySaver } from "@langchain/langgraph";
import { type AgentRuntime, type EquippedAgent, equipAgent } from "../../agents/equip.ts";
import { inProcessLink } from "../../agents/mcp-link.ts";
import { loadPersonas, type PersonaName } from "../../agents/personas.ts";
import { memoryIdentities, type RunIdentities } from "../../agents/run-identities.ts";
import { loadScanningPolicy } from "../../agents/scan/policy.ts";
import type { ServerName } from "../../controller/client/servers.ts";
import type { LifecycleDeps, PersonaModel } from "../../graphs/lifecycle/deps.ts";
import { personaAgent } from "../../graphs/persona.ts";
import type { LifecycleRunner } from "../../graphs/run-lifecycle.ts";
import { SpawnRegistry } from "../../mcp-servers/ai/server.ts";
import { mcpServers, toolsetLookup, toolsets } from "../../mcp-servers/catalog.ts";
import type { TestAppOptions } from "./app.ts";
import type { TestDatabase } from "./backends.ts";
import { type McpWorld, mcpWorld } from "./mcp.ts";
import { testTenantDatabases } from "./tenant-databases.ts";

const root = resolve(import.meta.dirname, "../..");

export interface AgentWorld extends McpWorld {
  runtime: AgentRuntime;
  /** What a lifecycle run led by `founder` is built from, with a model per persona (none: deterministic). */
  lifecycleDeps(
    founder: EquippedAgent,
    models?: Partial<Record<PersonaName, PersonaModel>>,
    onEvent?: LifecycleDeps["onEvent"],
  ): LifecycleDeps;
  /** A root agent of `persona` in `tenant`, equipped with its grants on every server it reaches. */
  equip(persona: PersonaName, options?: { tenant?: string; anchor?: ServerName }): Promise<EquippedAgent>;
  /**
   * A lifecycle runner in this process over the world, its founders minted by operator alice; the run's
   * identities in memory unless given (a store shared by "processes").
   */
  runner(
    checkpointer: BaseCheckpointSaver,
    models?: Partial<Record<PersonaName, PersonaModel>>,
    identities?: RunIdentities,
  ): LifecycleRunner;
  /** That agent as a persona graph driven by `model` (metered as `replay`). */
  agent(
    equipped: EquippedAgent,
    model: BaseChatModel,
    options?: { checkpointer?: BaseCheckpointSaver },
  ): ReturnType<typeof personaAgent>;
}

/**
 * The MCP world plus the agent runtime over it: the shipped personas, the servers in process, and a place
 * for tenant databases.
 */
export async function agentWorld(
  database: TestDatabase,
  options: TestAppOptions & {
    /**
     * Tenants whose databases the suite provisions, dropped at the end. Their roles are the server's, shared
     * by suites running side by side: a suite drops only what it made.
     */
    provisions?: string[];
  } = {},
): Promise<AgentWorld> {
  const { provisions = [], ...appOptions } = options;
  const place = await testTenantDatabases(database.url ? "postgres" : "pglite");
  const world = await mcpWorld(database, {
    tenantDatabases: database.url
      ? { kind: "postgres", url: place.where }
      : { kind: "pglite", dir: place.where },
    ...appOptions,
  });
  const spawned = new SpawnRegistry();
  const servers = mcpServers({ githubPaced: false, onSpawn: (child) => spawned.hold(child) });
  const runtime: AgentRuntime = {
    controller: world.controller,
    link: inProcessLink(world.controller, servers),
    personas: await loadPersonas(join(root, "personas"), toolsets()),
    toolsetOf: toolsetLookup(),
  };
  const scanning = await loadScanningPolicy(join(root, "policies", "scanning.yaml"));
  const equipped: EquippedAgent[] = [];
  return {
    ...world,
    runtime,
    runner(checkpointer, models = {}, identities = memoryIdentities()) {
      return {
        runtime,
        mintFounder: async (tenant, agentId) =>
          (await world.mint("founder", "ai", { tenant, ...(agentId ? { agentId } : {}) })).token,
        identities,
        claimFor: () => async (id) => spawned.claim(id),
        modelFor: (persona) => models[persona],
        scanning,
        checkpointer,
      };
    },
    lifecycleDeps(founder, models = {}, onEvent) {
      return {
        runtime,
        founder,
        claimSpawned: async (id) => spawned.claim(id),
        identities: memoryIdentities(),
        modelFor: (persona) => models[persona],
        scanning,
        ...(onEvent ? { onEvent } : {}),
      };
    },
    async equip(persona, o = {}) {
      const anchor = o.anchor ?? "ai";
      const { token } = await world.mint(persona, anchor, { tenant: o.tenant ?? "acme" });
      const agent = await equipAgent(runtime, { server: anchor, token });
      equipped.push(agent);
      return agent;
    },
    agent(agent, model, o = {}) {
      return personaAgent({
        persona: agent.persona,
        model,
        modelId: "replay",
        toolbox: agent.toolbox,
        situation: `You work for tenant acme as agent ${agent.agentId}.`,
        checkpointer: o.checkpointer ?? new MemorySaver(),
      });
    },
    async close() {
      await Promise.all(equipped.map((a) => a.toolbox.close()));
      await Promise.all(Object.values(servers).map((d) => d.close?.()));
      await world.close();
      await place.dispose(provisions);
    },
  };
}
