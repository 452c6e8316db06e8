import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import { MemorySaver } from "@langchain/langgraph";
import { openCheckpointer } from "../agents/checkpoints.ts";
import { RunQueue } from "../agents/run-queue.ts";
import { openRuntimeStore } from "../agents/runtime-store.ts";
import { tenants } from "../controller/db/schema.ts";
import { asPlatform } from "../controller/db/scope.ts";
import { createOperator } from "../controller/operators/operators.ts";
import { personaAgent } from "../graphs/persona.ts";
import { serveRuns } from "../graphs/run-worker.ts";
import { GitHubFactory } from "../mcp-servers/github/factory.ts";
import { agentWorld } from "../test/support/agents.ts";
import type { BenchDatabase } from "./databases.ts";
import { fmt, percentile } from "./stats.ts";

export interface StepFigure {
  backend: string;
  path: string;
  p50: number;
  ratio: number;
}

export interface TenantsFigure {
  backend: string;
  workers: number;
  tenants: number;
  seconds: number;
  perMinute: number;
  ratio: number;
}

const repo = { owner: "acme", repo: "acme-api" };

async function perCall(n: number, call: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    ms.push(performance.now() - t);
  }
  return percentile(
    ms.sort((a, b) => a - b),
    50,
  );
}

/**
 * One agent step (a scripted, zero-latency model turn, its metering through the AI server, and one read tool
 * call through MCP and the gate) against the same read made directly on the factory, and through MCP alone;
 * then whole lifecycles (Azure DevOps blueprint approved and applied, finance spawned) through the run
 * queue with 1, 2 and 4 workers.
 */
export async function benchAgents(
  bench: BenchDatabase,
  sizes: { steps: number; tenants: number },
): Promise<{ steps: StepFigure[]; tenants: TenantsFigure[] }> {
  const world = await agentWorld({
    ...bench.database,
    ...(bench.url ? { url: bench.url } : {}),
    dispose: async () => {},
  });
  try {
    const founder = await world.equip("founder");
    await founder.toolbox.tools.find((t) => t.name === "github__repos_create_repository")?.invoke(repo);
    const direct = new GitHubFactory({
      baseUrl: world.github.url,
      token: await world.github.personalToken(),
      paced: false,
    });
    const dev = await world.equip("dev");
    const read = dev.toolbox.tools.find((t) => t.name === "github__repos_get_repository");
    if (!read) throw new Error("dev has no repos_get_repository");
    const bare = await perCall(sizes.steps, () => direct.call("repos_get_repository", repo));
    const viaMcp = await perCall(sizes.steps, () => read.invoke(repo));

    const model = fakeModel();
    for (let i = 0; i < sizes.steps; i++)
      // Empty content: the scripted model costs nothing to meter but its turn (fakeModel's tool-call turns
      // echo the whole conversation back, which would grow each step).
      model.respond(
        new AIMessage({
          content: "",
          tool_calls: [{ name: "github__repos_get_repository", args: repo, id: `s${i}`, type: "tool_call" }],
        }),
      );
    model.respond(new AIMessage("done"));
    const agent = personaAgent({
      persona: { ...dev.persona, budget: { steps: sizes.steps + 5, tokens: 1e9 } },
      model,
      modelId: "replay",
      toolbox: dev.toolbox,
      situation: "bench",
      checkpointer: new MemorySaver(),
    });
    const t = performance.now();
    await agent.invoke({ messages: [new HumanMessage("read it")] }, { configurable: { thread_id: "bench" } });
    const step = (performance.now() - t) / (sizes.steps + 1);
    const steps: StepFigure[] = [
      { backend: bench.name, path: "read, factory direct", p50: bare, ratio: 1 },
      { backend: bench.name, path: "read, MCP + gate", p50: viaMcp, ratio: viaMcp / bare },
      {
        backend: bench.name,
        path: "agent step: model turn + metering + MCP read",
        p50: step,
        ratio: step / bare,
      },
    ];

    const bob = (
      await createOperator(bench.database.db, { name: `bench-${Date.now()}`, roles: ["platform-admin"] })
    ).operator;
    const store = await openRuntimeStore(
      bench.url ? { kind: "postgres", url: bench.url } : { kind: "pglite" },
    );
    const figures: TenantsFigure[] = [];
    try {
      const runner = world.runner(await openCheckpointer(store));
      const approvalsDecided = async (approvals: { approvalId: string }[]) => {
        const shown = await Promise.all(approvals.map((a) => world.harness.approvals.show(a.approvalId)));
        return shown.every((s) => s.status !== "pending");
      };
      for (const workers of [1, 2, 4]) {
        const ids = Array.from({ length: sizes.tenants }, (_, i) => `w${workers}n${i}`);
        await asPlatform(bench.database.db, (tx) =>
          tx.insert(tenants).values(ids.map((id) => ({ id, displayName: id }))),
        );
        const queue = await RunQueue.open(store);
        await serveRuns({ queue, runner, approvalsDecided, recheckSeconds: 0.2 }, workers);
        const start = performance.now();
        for (const tenant of ids)
          await queue.enqueue({
            runId: `run-${tenant}`,
            tenant,
            thread: `${tenant}/run-${tenant}`,
            step: "start",
            input: {
              startup: {
                tenant,
                name: tenant,
                azureDevOps: { project: `tenant-${tenant}`, description: tenant },
                database: false,
                team: [{ persona: "finance", task: "Report the budgets." }],
              },
            },
          });
        // An operator approves each run's apply as soon as it waits.
        const approved = new Set<string>();
        for (;;) {
          const runs = await Promise.all(ids.map((t) => queue.get(`run-${t}`)));
          for (const run of runs)
            if (run?.status === "waiting")
              for (const a of (run.detail as { approvals: { approvalId: string }[] }).approvals)
                if (!approved.has(a.approvalId)) {
                  approved.add(a.approvalId);
                  await world.harness.approvals.vote(a.approvalId, bob, "approve");
                }
          if (runs.every((r) => r?.status === "done" || r?.status === "failed")) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        const seconds = (performance.now() - start) / 1000;
        await queue.close();
        const perMinute = (sizes.tenants / seconds) * 60;
        figures.push({
          backend: bench.name,
          workers,
          tenants: sizes.tenants,
          seconds,
          perMinute,
          ratio: perMinute / (figures[0]?.perMinute ?? perMinute),
        });
      }
    } finally {
      await store.close();
    }
    return { steps, tenants: figures };
  } finally {
    await world.close();
  }
}

export const formatSteps = (rows: StepFigure[]) =>
  rows.map((r) => ({
    backend: r.backend,
    path: r.path,
    "p50 ms": fmt(r.p50, 2),
    "vs direct": `${fmt(r.ratio, 2)}x`,
  }));

export const formatTenants = (rows: TenantsFigure[]) =>
  rows.map((r) => ({
    backend: r.backend,
    workers: r.workers,
    tenants: r.tenants,
    seconds: fmt(r.seconds, 1),
    "tenants/min": fmt(r.perMinute, 1),
    "vs 1 worker": `${fmt(r.ratio, 2)}x`,
  }));
