import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Database } from "../controller/db/database.ts";
import { apply } from "../mcp-servers/azure-devops/blueprint/apply.ts";
import { AzureDevOpsFactory } from "../mcp-servers/azure-devops/factory.ts";
import { azureDevOpsSandbox } from "../sandbox/azure-devops/server.ts";
import { AdoWorld } from "../sandbox/azure-devops/world.ts";
import { SandboxStore } from "../sandbox/store.ts";
import { fmt, timed } from "./stats.ts";

const YAML = "trigger:\n  - main\nsteps:\n  - script: npm ci && npm test\n";

/** One tenant's onboarding, as the issue names it: project, two repos with scaffold and pipelines, team, library, backlog. */
function tenantBlueprint(project: string) {
  return {
    project,
    team: {
      founder: [`founder@${project}.test`],
      dev: [`dev@${project}.test`],
      sec: [`sec@${project}.test`],
      finance: [`finance@${project}.test`],
    },
    repos: ["app", "infra"].map((r) => ({
      name: `${project}-${r}`,
      files: [
        { path: "README.md", content: `# ${project} ${r}\n` },
        { path: "azure-pipelines.yml", content: YAML },
      ],
    })),
    pipelines: ["app", "infra"].map((r) => ({ name: `${project}-${r}-ci`, repo: `${project}-${r}` })),
    agentQueues: [{ pool: "startup-agents" }],
    variableGroups: [
      {
        name: `${project}-settings`,
        variables: { NODE_ENV: { value: "production" }, DB_PASSWORD: { secret: "secret://bench/db" } },
      },
    ],
    backlog: [{ title: "Launch", features: [{ title: "Sign-up", tasks: ["Form", "Email check"] }] }],
  };
}

export interface OnboardingFigures {
  backend: string;
  tenants: number;
  parallel: number;
  ms: number;
  requests: number;
  writes: number;
}

/**
 * Onboards tenants into the Azure DevOps sandbox over `database` through the real factory and client library,
 * `parallel` at a time: wall time, HTTP requests made, and writes (the least any client needs). Project
 * creation completes at once in the sandbox, so the figures are the factory's and the sandbox's own cost.
 */
async function onboard(
  world: AdoWorld,
  url: string,
  backend: string,
  tenants: number,
  parallel: number,
): Promise<OnboardingFigures> {
  const token = await world.pat("bench", "ada@bench.test");
  const prefix = `t${Date.now().toString(36)}p${parallel}n${tenants}`;
  let requests = 0;
  let writes = 0;
  const names = Array.from({ length: tenants }, (_, i) => `${prefix}-${i}`);
  const run = await timed(async () => {
    const queue = [...names];
    const worker = async () => {
      for (let name = queue.shift(); name; name = queue.shift()) {
        const factory = new AzureDevOpsFactory({
          orgUrl: url,
          token,
          kind: "pat",
          onRequest: (method) => {
            requests++;
            if (method !== "GET" && method !== "OPTIONS") writes++;
          },
        });
        await apply(factory, tenantBlueprint(name), { secrets: async () => "bench-secret-value" });
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
  });
  return { backend, tenants, parallel, ms: run.ms, requests, writes };
}

export async function benchAdoOnboarding(
  database: Database,
  backend: string,
  sizes: number[],
  parallelism: number[],
): Promise<OnboardingFigures[]> {
  const store = await SandboxStore.open(database, "azure_devops_sandbox");
  const world = new AdoWorld(store);
  await world.addOrg("bench");
  const server = serve({
    fetch: azureDevOpsSandbox(store, { projectCreationMs: 0, pipelineRunMs: 0 }).fetch,
    hostname: "127.0.0.1",
    port: 0,
  });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bench`;
  const figures: OnboardingFigures[] = [];
  try {
    for (const n of sizes) {
      figures.push(await onboard(world, url, backend, n, 1));
      process.stderr.write(`  ${backend}: ${n} tenants onboarded one at a time\n`);
    }
    const n = sizes[sizes.length - 1] ?? 1;
    for (const p of parallelism) {
      figures.push(await onboard(world, url, backend, Math.min(n, 4 * p), p));
      process.stderr.write(`  ${backend}: ${Math.min(n, 4 * p)} tenants, ${p} at a time\n`);
    }
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return figures;
}

export function formatAdoOnboarding(rows: OnboardingFigures[]): Record<string, string>[] {
  return rows.map((r) => {
    const base = rows.find((x) => x.backend === r.backend) as OnboardingFigures;
    const perTenant = r.ms / r.tenants;
    return {
      backend: r.backend,
      tenants: fmt(r.tenants),
      "at a time": fmt(r.parallel),
      "wall s": fmt(r.ms / 1000, 1),
      "ms / tenant": fmt(perTenant),
      "ms / tenant vs first row": `${fmt(perTenant / (base.ms / base.tenants), 2)}×`,
      "tenants / s": fmt((r.tenants * 1000) / r.ms, 1),
      "requests / tenant": fmt(r.requests / r.tenants, 1),
      "writes / tenant (the minimum)": fmt(r.writes / r.tenants, 1),
      "requests / minimum": `${fmt(r.requests / r.writes, 2)}×`,
    };
  });
}
