import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
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
    world = await agentWorld(database, { provisions: ["acme"] });
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

  it("lets a founder driven by a model plan the startup with the person, then spawns a dev agent that opens a pull request", async () => {
    const founder = await world.equip("founder");
    const github = blueprint.github as Record<string, unknown>;
    const founderModel = fakeModel()
      .respond(new AIMessage("What should the first service be?"))
      .respondWithTools([
        { name: "github__plan_blueprint", args: github, id: "p1" },
        {
          name: "azure-devops__plan_blueprint",
          args: { project: "tenant-acme", description: "Acme" },
          id: "p2",
        },
      ])
      .respond(new AIMessage("Here is the plan; it waits for an approver."));
    const devModel = fakeModel()
      .respondWithTools([
        {
          name: "github__branches_create_branch",
          args: { owner: "acme", repo: "acme-api", branch: "feat/api" },
          id: "d1",
        },
      ])
      .respondWithTools([
        {
          name: "github__contents_create_or_update_file",
          args: {
            owner: "acme",
            repo: "acme-api",
            branch: "feat/api",
            path: "src/api.js",
            content: "export {};\n",
            message: "feat: api",
          },
          id: "d2",
        },
      ])
      .respondWithTools([
        {
          name: "github__pulls_create_pull_request",
          args: { owner: "acme", repo: "acme-api", title: "The API", head: "feat/api", base: "main" },
          id: "d3",
        },
      ])
      .respond(new AIMessage("Pull request opened."));
    const deps = world.lifecycleDeps(founder, {
      founder: { model: founderModel, modelId: "replay" },
      dev: { model: devModel, modelId: "replay" },
    });
    const graph = lifecycleGraph(deps, new MemorySaver());
    const config = { configurable: { thread_id: "acme-chat" } };
    const asked = await graph.invoke(
      { tenant: "acme", messages: [new HumanMessage("Start Acme Analytics.")] },
      config,
    );
    expect((asked as { __interrupt__?: { value: unknown }[] }).__interrupt__?.[0]?.value).toEqual({
      type: "input",
      question: "What should the first service be?",
    });
    const planned = await graph.invoke(
      new Command({ resume: "An API, on GitHub and Azure DevOps." }),
      config,
    );
    const approvals = (planned as { __interrupt__?: { value: { approvals: { approvalId: string }[] } }[] })
      .__interrupt__?.[0]?.value.approvals;
    expect(approvals).toHaveLength(2);
    for (const a of approvals ?? []) await world.harness.approvals.vote(a.approvalId, bob, "approve");
    const done = await graph.invoke(new Command({ resume: { decided: true } }), config);

    expect(done.startup?.github).toEqual(github);
    expect(done.applies.map((a) => a.status)).toEqual(["done", "done"]);
    // The default team: dev with its model, sec and finance by policy without one.
    expect(done.team.map((m) => [m.persona, m.status])).toEqual([
      ["dev", "done"],
      ["sec", "done"],
      ["finance", "done"],
    ]);
    expect(done.team[0]?.report).toBe("Pull request opened.");
    expect(done.team[1]?.report).toMatch(/acme\/acme-api#\d+: 0 findings, 0 blocking/);
    expect(founderModel.callCount).toBe(3);
    expect(devModel.callCount).toBe(4);
    const team = await world.controller.team(founder.grants.ai as string);
    expect(
      team.agents
        .filter((a) => a.parentId === founder.agentId)
        .map((a) => a.persona)
        .sort(),
    ).toEqual(["dev", "finance", "sec"]);
  });
});
