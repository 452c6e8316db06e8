import { join } from "node:path";
import { MemorySaver } from "@langchain/langgraph";
import { openCheckpointer } from "../agents/checkpoints.ts";
import { loadAgentConfig } from "../agents/config.ts";
import type { AgentRuntime } from "../agents/equip.ts";
import { httpLink, inProcessLink } from "../agents/mcp-link.ts";
import { loadPersonas } from "../agents/personas.ts";
import { memoryIdentities, storedIdentities } from "../agents/run-identities.ts";
import { openRuntimeStore, type RuntimeStore } from "../agents/runtime-store.ts";
import { loadScanningPolicy } from "../agents/scan/policy.ts";
import { httpClaim } from "../agents/spawn-claim.ts";
import { type TappedCall, tappedLink } from "../agents/tool-tap.ts";
import { AgentClient } from "../controller/client/agent-client.ts";
import { OperatorClient } from "../controller/client/operator-client.ts";
import { type Config, loadClientConfig, loadConfig } from "../controller/config.ts";
import type { createApp } from "../controller/http/app.ts";
import { IN_PROCESS } from "../controller/http/in-process.ts";
import type { Runtime } from "../controller/runtime.ts";
import type { LifecycleDeps } from "../graphs/lifecycle/deps.ts";
import type { LifecycleRunner } from "../graphs/run-lifecycle.ts";
import { SpawnRegistry } from "../mcp-servers/ai/spawned.ts";
import { mcpServers, toolsetLookup, toolsets } from "../mcp-servers/catalog.ts";
import type { DatabaseTargets } from "../mcp-servers/database/targets.ts";
import { CliError } from "./output.ts";

/** A lifecycle runner in this process. */
export interface AgentRunner {
  runner: LifecycleRunner;
  close(): Promise<void>;
}

/** A runner against a running controller: its API, its MCP servers over HTTP, an operator's key. */
export interface RemoteRunner extends AgentRunner {
  operator: OperatorClient;
  /** The runtime's own state: checkpoints, the run queue, the runs' identities. */
  store: RuntimeStore;
}

interface RunnerOptions {
  modelFor: LifecycleDeps["modelFor"];
  onEvent?: LifecycleDeps["onEvent"];
}

/** The parts every runner shares: personas, toolsets, the scanning policy. */
async function runnerParts(config: Config) {
  return {
    personas: await loadPersonas(loadAgentConfig().personasDir, toolsets()),
    toolsetOf: toolsetLookup(),
    scanning: await loadScanningPolicy(join(config.policiesDir, "scanning.yaml")),
  };
}

/** Where the runtime's own PGlite lives in the data directory, when there is no DATABASE_URL. */
export const RUNTIME_STORE_DIR = "runtime";

/** Where runs are kept between steps: the runtime store (DATABASE_URL or a PGlite of its own). */
async function storedState(config: Config) {
  const store = await openRuntimeStore(
    config.database.kind === "postgres"
      ? { kind: "postgres", url: config.database.url }
      : { kind: "pglite", dir: join(config.dataDir, RUNTIME_STORE_DIR) },
  );
  return { store, checkpointer: await openCheckpointer(store), identities: await storedIdentities(store) };
}

/**
 * Builds the agent runtime a CLI command drives lifecycles with: the controller at FACTORY_URL, an operator
 * key (FACTORY_API_KEY) to mint founders' grants, checkpoints on DATABASE_URL or a PGlite of the runtime's
 * own under the data directory.
 */
export async function remoteRunner(options: RunnerOptions): Promise<RemoteRunner> {
  const client = loadClientConfig();
  if (!client.apiKey) throw new CliError("set FACTORY_API_KEY to an operator API key (sfk_…)");
  const operator = new OperatorClient({ url: client.url, apiKey: client.apiKey });
  const config = loadConfig();
  const { personas, toolsetOf, scanning } = await runnerParts(config);
  const { store, checkpointer, identities } = await storedState(config);
  const runtime: AgentRuntime = {
    controller: new AgentClient({ url: client.url }),
    link: httpLink(client.url),
    personas,
    toolsetOf,
  };
  return {
    operator,
    store,
    runner: {
      scanning,
      checkpointer,
      identities,
      runtime,
      mintFounder: async (tenant, agentId) =>
        (
          await operator.mintGrant({
            tenant,
            persona: "founder",
            audience: "ai",
            ...(agentId ? { agentId } : {}),
          })
        ).token,
      claimFor: (founder) => httpClaim(client.url, founder.grants.ai as string),
      modelFor: options.modelFor,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    },
    close: () => store.close(),
  };
}

/**
 * A runner inside the controller's own process (`factory start`): the controller reached through
 * `app.fetch`, the MCP servers in memory, founders minted for operator `actor`.
 */
export async function localRunner(
  runtime: Runtime,
  app: ReturnType<typeof createApp>,
  options: RunnerOptions & {
    actor: string;
    githubPaced: boolean;
    /** One second of a provider's Retry-After, in milliseconds (evals scale it down). */
    retryAfterUnitMs?: number;
    /** Keep runs in this process's memory only (an eval's run lives and dies with its world). */
    inMemory?: boolean;
    /** Hears every tool call at the MCP boundary (evals grade and record the trajectory). */
    onToolCall?: (call: TappedCall) => void;
    /** The tenant databases' targets, shared with the caller (one PGlite per cluster directory). */
    databaseTargets?: DatabaseTargets;
  },
): Promise<AgentRunner> {
  const controller = new AgentClient({
    url: "http://controller.internal",
    fetch: (r) => app.fetch(r, IN_PROCESS),
  });
  const spawned = new SpawnRegistry();
  const servers = mcpServers({
    githubPaced: options.githubPaced,
    ...(options.retryAfterUnitMs ? { retryAfterUnitMs: options.retryAfterUnitMs } : {}),
    onSpawn: (child) => spawned.hold(child),
    ...(options.databaseTargets ? { databaseTargets: options.databaseTargets } : {}),
  });
  const { personas, toolsetOf, scanning } = await runnerParts(runtime.config);
  const state = options.inMemory
    ? { checkpointer: new MemorySaver(), identities: memoryIdentities() }
    : await storedState(runtime.config);
  return {
    runner: {
      scanning,
      checkpointer: state.checkpointer,
      identities: state.identities,
      runtime: {
        controller,
        link: options.onToolCall
          ? tappedLink(inProcessLink(controller, servers), options.onToolCall)
          : inProcessLink(controller, servers),
        personas,
        toolsetOf,
      },
      mintFounder: async (tenant, agentId) =>
        (
          await runtime.grants.issuer.mint({
            tenant,
            persona: "founder",
            audience: "ai",
            actor: options.actor,
            ...(agentId ? { agentId } : {}),
          })
        ).token,
      claimFor: () => async (id) => spawned.claim(id),
      modelFor: options.modelFor,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    },
    async close() {
      if ("store" in state) await state.store.close();
      await Promise.all(Object.values(servers).map((s) => s.close?.()));
    },
  };
}
