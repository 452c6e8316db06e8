import { join } from "node:path";
import { openCheckpointer } from "../agents/checkpoints.ts";
import { loadAgentConfig } from "../agents/config.ts";
import type { AgentRuntime } from "../agents/equip.ts";
import { httpLink } from "../agents/mcp-link.ts";
import { loadPersonas } from "../agents/personas.ts";
import { openRuntimeStore, type RuntimeStore } from "../agents/runtime-store.ts";
import { loadScanningPolicy } from "../agents/scan/policy.ts";
import { httpClaim } from "../agents/spawn-claim.ts";
import { AgentClient } from "../controller/client/agent-client.ts";
import { OperatorClient } from "../controller/client/operator-client.ts";
import { loadClientConfig, loadConfig } from "../controller/config.ts";
import type { LifecycleDeps } from "../graphs/lifecycle/deps.ts";
import type { LifecycleRunner } from "../graphs/run-lifecycle.ts";
import { toolsetLookup, toolsets } from "../mcp-servers/catalog.ts";
import { CliError } from "./output.ts";

/** A lifecycle runner in this process, against a running controller: its API, its MCP servers over HTTP. */
export interface RemoteRunner {
  runner: LifecycleRunner;
  operator: OperatorClient;
  /** The runtime's own state: checkpoints and the run queue. */
  store: RuntimeStore;
  close(): Promise<void>;
}

/**
 * Builds the agent runtime a CLI command drives lifecycles with: the controller at FACTORY_URL, an operator
 * key (FACTORY_API_KEY) to mint founders' grants, checkpoints on DATABASE_URL or a PGlite of the runtime's
 * own under the data directory.
 */
export async function remoteRunner(options: {
  modelFor: LifecycleDeps["modelFor"];
  onEvent?: LifecycleDeps["onEvent"];
}): Promise<RemoteRunner> {
  const client = loadClientConfig();
  if (!client.apiKey) throw new CliError("set FACTORY_API_KEY to an operator API key (sfk_…)");
  const config = loadConfig();
  const agentConfig = loadAgentConfig();
  const operator = new OperatorClient({ url: client.url, apiKey: client.apiKey });
  const runtime: AgentRuntime = {
    controller: new AgentClient({ url: client.url }),
    link: httpLink(client.url),
    personas: await loadPersonas(agentConfig.personasDir, toolsets()),
    toolsetOf: toolsetLookup(),
  };
  const store = await openRuntimeStore(
    config.database.kind === "postgres"
      ? { kind: "postgres", url: config.database.url }
      : { kind: "pglite", dir: join(config.dataDir, "runtime") },
  );
  const checkpointer = await openCheckpointer(store);
  return {
    operator,
    store,
    runner: {
      runtime,
      mintFounder: async (tenant) =>
        (await operator.mintGrant({ tenant, persona: "founder", audience: "ai" })).token,
      claimFor: (founder) => httpClaim(client.url, founder.grants.ai as string),
      modelFor: options.modelFor,
      scanning: await loadScanningPolicy(join(config.policiesDir, "scanning.yaml")),
      checkpointer,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    },
    async close() {
      await store.close();
    },
  };
}
