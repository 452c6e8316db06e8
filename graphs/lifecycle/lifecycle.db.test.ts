import { Command, MemorySaver } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOperator, type Operator } from "../../controller/operators/operators.ts";
import { type AgentWorld, agentWorld } from "../../test/support/agents.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import type { LifecycleEvent } from "./deps.ts";
import { lifecycleGraph } from "./lifecycle.ts";
import type { StartupBlueprintInput } from "./startup-blueprint.ts";

const blueprint: StartupBlueprintInput = {
  tenant: "acme",
  name: "Acme Analytics",
  product: "dashboards for small shops",
  github: {
    org: "acme",
    repos: [
      {
        name: "acme-api",
        description: "the API",
        files: [{ path: "package.json", content: '{ "name": "acme-api" }\n' }],
        protection: { branch: "main", requiredReviews: 1 },
      },
    ],
    teams: [],
  },
  azureDevOps: { project: "tenant-acme", description: "Acme Analytics" },
  team: [
    { persona: "sec", task: "Turn on the security settings." },
    { persona: "finance", task: "Report the budgets." },
  ],
};

describe.each(backends)("the startup lifecycle on %s", (backend) => {
  let database: TestDatabase;
  let world: AgentWorld;
  let bob: Operator;

  beforeAll(async () => {
    database = await freshDatabase(backend);
    world = await agentWorld(database);
    bob = (await createOperator(database.db, { name: "bob", roles: ["platform-admin"] })).operator;
  });
  afterAll(async () => {
    await world?.close();
    await database?.dispose();
  });

  it("provisions a blueprint without a model: plan, approval, apply, the team spawned, a report", async () => {
    const founder = await world.equip("founder");
    const events: LifecycleEvent[] = [];
    const graph = lifecycleGraph(
      world.lifecycleDeps(founder, {}, (e) => events.push(e)),
      new MemorySaver(),
    );
    const config = { configurable: { thread_id: "acme-apply" } };
    const first = await graph.invoke({ tenant: "acme", startup: blueprint as never }, config);
    const waiting = (
      first as { __interrupt__?: { value: { approvals: { approvalId: string; tool: string }[] } }[] }
    ).__interrupt__;
    expect(waiting?.[0]?.value.approvals.map((a) => a.tool)).toEqual([
      "github__apply_blueprint",
      "azure-devops__apply_blueprint",
    ]);
    expect(first.plans.github?.steps.length).toBeGreaterThan(0);
    for (const approval of waiting?.[0]?.value.approvals ?? [])
      await world.harness.approvals.vote(approval.approvalId, bob, "approve");

    const done = await graph.invoke(new Command({ resume: { decided: true } }), config);
    expect(done.applies.map((a) => [a.server, a.status])).toEqual([
      ["github", "done"],
      ["azure-devops", "done"],
    ]);
    expect(done.database).not.toBeNull();
    expect(done.team.map((m) => [m.persona, m.status])).toEqual([
      ["sec", "done"],
      ["finance", "done"],
    ]);
    expect(new Set(done.team.map((m) => m.agentId)).size).toBe(2);
    expect(done.summary).toMatch(/^Acme Analytics \(tenant acme\)/);
    expect(events.filter((e) => e.type === "phase").map((e) => (e as { phase: string }).phase)).toEqual([
      "blueprint",
      "plan",
      "approval",
      "provision",
      "report",
    ]);

    // The provider state the blueprint asked for, and the team's work on it.
    const token = await world.github.personalToken();
    const headers = { authorization: `token ${token}` };
    const repo = (await (await fetch(`${world.github.url}/repos/acme/acme-api`, { headers })).json()) as {
      security_and_analysis?: { secret_scanning?: { status: string } };
    };
    expect(repo.security_and_analysis?.secret_scanning?.status).toBe("enabled");
    // The children are the founder's, in the lineage.
    const team = await world.controller.team(founder.grants.ai as string);
    const children = team.agents.filter((a) => a.parentId === founder.agentId).map((a) => a.persona);
    expect(children.sort()).toEqual(["finance", "sec"]);
  });
});
