import { cp, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { Octokit } from "@octokit/rest";
import type * as azdev from "azure-devops-node-api";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { TappedCall } from "../agents/tool-tap.ts";
import { type AgentRunner, localRunner } from "../cli/agent-runner.ts";
import { embeddedSandboxes } from "../cli/embedded-sandboxes.ts";
import { createApp } from "../controller/http/app.ts";
import { createTenant } from "../controller/http/tenant-routes.ts";
import { createOperator, type Operator } from "../controller/operators/operators.ts";
import { openRuntime, type Runtime } from "../controller/runtime.ts";
import type { LifecycleDeps } from "../graphs/lifecycle/deps.ts";
import type { RunningAzureDevOpsSandbox } from "../sandbox/azure-devops/embedded.ts";
import type { RunningGitHubSandbox } from "../sandbox/github/embedded.ts";
import { ownerClients } from "./owner-clients.ts";
import { keepsRunsOnDisk, type Scenario } from "./scenario.ts";
import { seedWorld } from "./seed.ts";
import {
  CONTROLLER_SNAPSHOT,
  hasSnapshot,
  runtimeStoreOf,
  snapshotOf,
  TENANT_CLUSTER_SNAPSHOT,
  worldConfig,
} from "./template.ts";
import { WorldDatabases } from "./tenant-database.ts";

/**
 * The scenario's policy edits written over a copy of the shipped policies in the world's directory, or
 * undefined when it edits none (the shipped ones then apply as they are). Each edited file must be one that
 * exists: a misspelt name would otherwise leave the policy it meant to change in force.
 */
async function editedPolicies(scenario: Scenario, dir: string): Promise<string | undefined> {
  const edits = Object.entries(scenario.world.policies);
  if (edits.length === 0) return undefined;
  const shipped = worldConfig(dir).policiesDir;
  const policies = join(dir, "policies");
  await cp(shipped, policies, { recursive: true });
  for (const [file, text] of edits) {
    const path = join(policies, file);
    if (
      !(await stat(path).then(
        (s) => s.isFile(),
        () => false,
      ))
    )
      throw new Error(
        `world.policies: there is no policy file ${file} (see ${relative(process.cwd(), shipped)})`,
      );
    await writeFile(path, text);
  }
  return policies;
}

/** One scenario's world: a controller of its own with its sandboxes, the agents' runtime, an approver. */
export interface EvalWorld {
  runtime: Runtime;
  /** The agents' process: its runner, its MCP servers, what it holds in memory. */
  readonly agents: AgentRunner;
  /** Kills the agents' process and starts another: only what the runtime's store kept survives. */
  restartAgents(): Promise<AgentRunner>;
  /** The providers' sandboxes; a provider recorded live has none. */
  github?: RunningGitHubSandbox;
  azureDevOps?: RunningAzureDevOpsSandbox;
  /** Another operator than the one who starts the agents: the one who decides approvals. */
  approver: Operator;
  /** The tenant databases, through the same open clusters as the world's Database MCP server. */
  databases: WorldDatabases;
  /** GitHub as an owner of the tenant's organisation sees it, through the real Octokit client. */
  octokit: Octokit;
  /** Azure DevOps as its organisation's owner sees it, through the real azure-devops-node-api. */
  azureDevOpsApi: azdev.WebApi;
  close(): Promise<void>;
}

/**
 * Builds the world a scenario starts from, isolated from the user's configuration (always the embedded
 * database, and the sandboxes unless `live` gives the user's provider variables): its tenant created, its
 * repositories seeded.
 */
export async function openEvalWorld(
  scenario: Scenario,
  template: string,
  options: {
    modelFor: LifecycleDeps["modelFor"];
    onEvent: LifecycleDeps["onEvent"];
    onToolCall: (call: TappedCall) => void;
    /** The user's provider variables: the providers they configure are live, the others sandboxes. */
    live?: Record<string, string | undefined>;
  },
): Promise<EvalWorld> {
  const dir = await mkdtemp(join(tmpdir(), "sf-eval-"));
  const durable = keepsRunsOnDisk(scenario);
  const unwanted = [
    join(template, CONTROLLER_SNAPSHOT),
    join(template, TENANT_CLUSTER_SNAPSHOT),
    ...(durable ? [] : [runtimeStoreOf(template)]),
  ];
  await cp(template, dir, {
    recursive: true,
    filter: (src) => !unwanted.some((part) => src.startsWith(part)),
  });
  const config = worldConfig(dir, scenario.tenant, await editedPolicies(scenario, dir), options.live);
  if (config.database.kind === "pglite") config.database.snapshot = await snapshotOf(template);
  const kept: { github?: RunningGitHubSandbox; azureDevOps?: RunningAzureDevOpsSandbox } = {};
  const runtime = await openRuntime(
    config,
    embeddedSandboxes(config, () => {}, {
      keep: (s) => Object.assign(kept, s),
      // A tenth of the sandbox's usual waits: the factory still polls a project's creation and a run's end.
      azureDevOpsTiming: { projectCreationMs: 20, pipelineRunMs: 20 },
    }),
  );
  const databases = new WorldDatabases(
    config,
    runtime,
    (await hasSnapshot(template, TENANT_CLUSTER_SNAPSHOT))
      ? await snapshotOf(template, TENANT_CLUSTER_SNAPSHOT)
      : undefined,
  );
  const closeAll = async () => {
    await databases.close();
    await runtime.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const { github, azureDevOps } = kept;
    const app = createApp(runtime, config.http);
    await createTenant(
      runtime.database.db,
      runtime.ledger,
      { id: scenario.tenant, displayName: scenario.title },
      "operator:admin",
    );
    const approver = (
      await createOperator(runtime.database.db, { name: "eval-approver", roles: ["platform-admin"] })
    ).operator;
    const { octokit, azureDevOpsApi } = await ownerClients(config, scenario.tenant, kept);
    await seedWorld(scenario, octokit, azureDevOpsApi);
    await databases.seed(scenario);
    for (const { provider, status, ...fault } of scenario.world.faults) {
      const sandbox = provider === "github" ? github : azureDevOps;
      if (!sandbox)
        throw new Error(`world.faults: ${provider} is live; faults are injected only into its sandbox`);
      await sandbox.world.injectFault({ ...fault, status: status as ContentfulStatusCode });
    }
    const startAgents = () =>
      localRunner(runtime, app, {
        actor: "operator:admin",
        githubPaced: false,
        // A second of a provider's Retry-After lasts 50 ms here: the clients still wait and retry, faster.
        retryAfterUnitMs: 50,
        inMemory: !durable,
        modelFor: options.modelFor,
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        onToolCall: options.onToolCall,
        databaseTargets: databases.targets,
      });
    let agents = await startAgents();
    return {
      runtime,
      get agents() {
        return agents;
      },
      async restartAgents() {
        await agents.close();
        agents = await startAgents();
        return agents;
      },
      ...(github ? { github } : {}),
      ...(azureDevOps ? { azureDevOps } : {}),
      approver,
      databases,
      octokit,
      azureDevOpsApi,
      async close() {
        await agents.close();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
