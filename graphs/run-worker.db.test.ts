import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCheckpointer } from "../agents/checkpoints.ts";
import { CrossTenantRun, RunQueue } from "../agents/run-queue.ts";
import { openRuntimeStore, type RuntimeStore } from "../agents/runtime-store.ts";
import { tenants } from "../controller/db/schema.ts";
import { asPlatform } from "../controller/db/scope.ts";
import { createOperator, type Operator } from "../controller/operators/operators.ts";
import { type AgentWorld, agentWorld } from "../test/support/agents.ts";
import { backends, freshDatabase, type TestDatabase } from "../test/support/backends.ts";
import { serveRuns } from "./run-worker.ts";

const TENANTS = Array.from({ length: 10 }, (_, i) => `team${i}`);

describe.each(backends)("lifecycle runs from the queue on %s", (backend) => {
  let database: TestDatabase;
  let world: AgentWorld;
  let store: RuntimeStore;
  let queue: RunQueue;
  let bob: Operator;

  beforeAll(async () => {
    database = await freshDatabase(backend);
    world = await agentWorld(database);
    bob = (await createOperator(database.db, { name: "bob", roles: ["platform-admin"] })).operator;
    await asPlatform(database.db, (tx) =>
      tx.insert(tenants).values(TENANTS.map((id) => ({ id, displayName: id }))),
    );
    store = await openRuntimeStore(
      database.url ? { kind: "postgres", url: database.url } : { kind: "pglite" },
    );
    queue = await RunQueue.open(store);
    const checkpointer = await openCheckpointer(store);
    await serveRuns(
      {
        queue,
        runner: world.runner(checkpointer),
        recheckSeconds: 0.5,
        approvalsDecided: async (approvals) => {
          const statuses = await Promise.all(
            approvals.map((a) => world.harness.approvals.show(a.approvalId)),
          );
          return statuses.every((s) => s.status !== "pending");
        },
      },
      4,
    );
  });
  afterAll(async () => {
    await queue?.close();
    await store?.close();
    await world?.close();
    await database?.dispose();
  });

  const until = async (check: () => Promise<boolean>, ms = 90_000) => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 250)))
      if (await check()) return;
    throw new Error("timed out");
  };

  it("runs ten tenants at once through four workers, each seeing only its own grants, data and approvals", async () => {
    for (const tenant of TENANTS)
      await queue.enqueue({
        runId: `run-${tenant}`,
        tenant,
        thread: `${tenant}/run-${tenant}`,
        step: "start",
        input: {
          startup: {
            tenant,
            name: `Startup ${tenant}`,
            azureDevOps: { project: `tenant-${tenant}`, description: tenant },
            database: false,
            team: [{ persona: "finance", task: "Report the budgets." }],
          },
        },
      });
    const runs = () => Promise.all(TENANTS.map((t) => queue.get(`run-${t}`)));
    await until(async () => (await runs()).every((r) => r?.status === "waiting"));

    // Each run waits on its own tenant's approval; approving them lets the workers carry on.
    const waiting = await runs();
    for (const [i, run] of waiting.entries()) {
      const approvals = (run?.detail as { approvals: { approvalId: string }[] } | undefined)?.approvals ?? [];
      expect(approvals).toHaveLength(1);
      expect(approvals[0]?.approvalId).toMatch(new RegExp(`^apr_${TENANTS[i]}_`));
      await world.harness.approvals.vote(approvals[0]?.approvalId as string, bob, "approve");
    }
    await until(async () => (await runs()).every((r) => r?.status === "done"));

    for (const [i, run] of (await runs()).entries()) {
      const tenant = TENANTS[i] as string;
      const detail = run?.detail as {
        summary: string;
        applies: { status: string }[];
        team: { agentId: string }[];
      };
      expect(detail.summary).toMatch(new RegExp(`^Startup ${tenant} \\(tenant ${tenant}\\)`));
      expect(
        detail.applies.map((a) => a.status),
        JSON.stringify(detail.applies),
      ).toEqual(["done"]);
      // The tenant's ledger names no other tenant's resources, and its agents are its own.
      const entries = await world.harness.ledger.entries({ tenant, limit: 1000 });
      const others = TENANTS.filter((t) => t !== tenant);
      const leaked = entries.filter((e) => others.some((o) => JSON.stringify(e).includes(`tenant-${o}"`)));
      expect(leaked).toEqual([]);
      const agentIds = new Set(entries.map((e) => e.resource).filter((r) => r.startsWith("agent:")));
      expect(agentIds.has(`agent:${detail.team[0]?.agentId}`)).toBe(true);
    }
  });

  it("refuses a job that points one tenant's run at another tenant's thread", async () => {
    await expect(
      queue.enqueue({ runId: "run-team1", tenant: "team2", thread: "team1/run-team1", step: "resume" }),
    ).rejects.toThrow(CrossTenantRun);
  });
});
