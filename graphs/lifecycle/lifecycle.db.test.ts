import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import { Command, MemorySaver } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryIdentities } from "../../agents/run-identities.ts";
import { tenants } from "../../controller/db/schema.ts";
import { asPlatform } from "../../controller/db/scope.ts";
import { createOperator, type Operator } from "../../controller/operators/operators.ts";
import { type AgentWorld, agentWorld } from "../../test/support/agents.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { releaseRun, stepLifecycle } from "../run-lifecycle.ts";
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

  it("resumes a run in another process as the same founder and the same team member, so their approvals still apply", async () => {
    await asPlatform(database.db, (tx) =>
      tx.insert(tenants).values({ id: "initech", displayName: "Initech" }),
    );
    const checkpointer = new MemorySaver();
    const identities = memoryIdentities();
    const connection = {
      project: "tenant-initech",
      name: "initech-azure",
      type: "azurerm",
      url: "https://management.azure.com/",
      scheme: "ServicePrincipal",
      parameters: { serviceprincipalid: "app-id", serviceprincipalkey: "sp-secret-value", tenantid: "tid" },
    };
    const opsModel = fakeModel()
      .respondWithTools([
        { name: "azure-devops__service_connections_create_connection", args: connection, id: "s1" },
      ])
      .respond(new AIMessage("The service connection is in place."));
    const events: LifecycleEvent[] = [];
    // Each step in a "process" of its own: a runner with nothing in memory but the shared store.
    const process = () => ({
      ...world.runner(checkpointer, { ops: { model: opsModel, modelId: "replay" } }, identities),
      onEvent: (e: LifecycleEvent) => events.push(e),
    });
    const run = { tenant: "initech", thread: "initech/moved" };
    const step = async (input: Parameters<typeof stepLifecycle>[2]) => {
      try {
        return await stepLifecycle(process(), run, input);
      } finally {
        await releaseRun(run.thread);
      }
    };
    const approveAll = async (outcome: Awaited<ReturnType<typeof stepLifecycle>>) => {
      expect(outcome.status).toBe("waiting");
      const approvals = outcome.status === "waiting" ? outcome.approvals : [];
      for (const a of approvals) await world.harness.approvals.vote(a.approvalId, bob, "approve");
      return approvals.map((a) => a.tool);
    };

    const planned = await step({
      start: {
        startup: {
          tenant: "initech",
          name: "Initech",
          azureDevOps: { project: "tenant-initech", description: "Initech" },
          database: false,
          team: [{ persona: "ops", task: "Connect tenant-initech to Azure." }],
        } as never,
      },
    });
    expect(await approveAll(planned)).toEqual(["azure-devops__apply_blueprint"]);
    const connecting = await step({ resume: { decided: true } });
    expect(await approveAll(connecting)).toEqual(["azure-devops__service_connections_create_connection"]);
    const done = await step({ resume: { decided: true } });

    expect(done.status).toBe("done");
    expect(done.state.applies.map((a) => [a.server, a.status])).toEqual([["azure-devops", "done"]]);
    expect(done.state.team.map((m) => [m.persona, m.status, m.report])).toEqual([
      ["ops", "done", "The service connection is in place."],
    ]);
    expect(opsModel.callCount).toBe(2);
    // One founder and one ops agent across three processes: renewed, never minted or spawned again.
    const founderId = await identities.get(run.thread, "founder");
    expect(events.filter((e) => e.type === "spawned")).toHaveLength(1);
    const entries = await world.harness.ledger.entries({ tenant: "initech", limit: 500 });
    const grantEntries = (action: string) =>
      entries.filter((e) => e.action === action).map((e) => e.resource);
    expect(grantEntries("grant.minted")).toEqual([`agent:${founderId}`]);
    const opsId = done.state.team[0]?.agentId;
    expect(grantEntries("grant.renewed").sort()).toEqual(
      [`agent:${founderId}`, `agent:${founderId}`, `agent:${opsId}`].sort(),
    );
    const connections = entries.filter(
      (e) =>
        e.action === "intent.recorded" && JSON.stringify(e.payload).includes("service_connections_create"),
    );
    expect(connections.map((e) => e.actor)).toEqual([opsId]);
  });
});
