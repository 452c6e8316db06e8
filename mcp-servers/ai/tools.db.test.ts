import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentClient, ControllerRefused } from "../../controller/client/agent-client.ts";
import { tenants } from "../../controller/db/schema.ts";
import { asPlatform } from "../../controller/db/scope.ts";
import { type TestApp, testApp } from "../../test/support/app.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { TEST_MODELS } from "../../test/support/models.ts";
import { aiServer, type SpawnedAgent } from "./server.ts";
import type { AiContext } from "./tools.ts";
import { checkBudget, getBudgets, listAgents, listModels, recordUsage, spawnAgent } from "./tools.ts";

describe.each(backends)("the AI factory's tools against the controller on %s", (backend) => {
  let database: TestDatabase;
  let harness: TestApp;
  let controller: AgentClient;
  const spawned: SpawnedAgent[] = [];
  const server = aiServer({
    onSpawn: async (child) => {
      spawned.push(child);
    },
  });
  let founder: AiContext;
  let founderId: string;

  /** The context a tool runs in for the holder of `token`, as the gate would build it. */
  const contextFor = async (token: string, definition = server) =>
    definition.connect({ token, grant: await controller.introspect(token), controller });

  beforeAll(async () => {
    database = await freshDatabase(backend);
    harness = await testApp(database, { policyEdits: { "models.yaml": () => TEST_MODELS } });
    controller = new AgentClient({ url: "http://controller", fetch: (r) => harness.app.fetch(r) });
    await asPlatform(database.db, (tx) =>
      tx.insert(tenants).values([
        { id: "acme", displayName: "Acme" },
        { id: "globex", displayName: "Globex" },
      ]),
    );
    const minted = await harness.grants.issuer.mint({
      tenant: "acme",
      persona: "founder",
      audience: "ai",
      actor: "operator:ada",
    });
    founderId = minted.agentId;
    founder = await contextFor(minted.token);
  });
  afterAll(async () => {
    await harness.close();
    await database.dispose();
  });

  it("spawns a child through token exchange: its id, role, scope and expiry come back, its grant only to onSpawn", async () => {
    const result = await spawnAgent.run(founder, {
      persona: "dev",
      reason: "build the API service",
    });
    const devTools = [
      "agents_list_*",
      "budgets_get_*",
      "budgets_check_*",
      "usage_record_usage",
      "models_list_*",
    ];
    expect(result).toEqual({
      agentId: expect.stringMatching(/^agt_/),
      parentId: founderId,
      tenant: "acme",
      persona: "dev",
      role: "dev",
      server: "ai",
      scope: expect.any(Array),
      depth: 1,
      expiresAt: expect.stringMatching(/Z$/),
    });
    // The child's scope is what its parent's shares with the dev template: all of the template, on acme only.
    expect(new Set(result.scope.flatMap((s) => s.tools))).toEqual(new Set(devTools));
    expect(new Set(result.scope.flatMap((s) => s.resources))).toEqual(new Set(["acme"]));
    expect(JSON.stringify(result)).not.toMatch(/eyJ|token/);

    expect(spawned).toEqual([
      { ...result, reason: "build the API service", token: expect.stringMatching(/^eyJ/) },
    ]);
    const child = await controller.introspect(spawned[0]?.token as string);
    expect(child).toMatchObject({
      sub: result.agentId,
      persona: "dev",
      depth: 1,
      aud: "ai",
      scope: result.scope,
    });
    expect(Date.parse(result.expiresAt)).toBe(child.exp * 1000);
  });

  it("lists the spawned child in the team, below its parent", async () => {
    const team = await listAgents.run(founder, {});
    expect(team).toEqual({
      tenant: "acme",
      truncated: false,
      agents: [
        expect.objectContaining({
          id: founderId,
          persona: "founder",
          parentId: null,
          depth: 0,
          status: "live",
        }),
        expect.objectContaining({
          id: spawned[0]?.agentId,
          persona: "dev",
          role: "dev",
          parentId: founderId,
          depth: 1,
          startedBy: "operator:ada",
          status: "live",
        }),
      ],
    });
    expect(await listAgents.run(founder, { limit: 1 })).toMatchObject({
      truncated: true,
      agents: [{ id: spawned[0]?.agentId }],
    });
  });

  it("checks a model call, records the child's usage, and shows it in the budgets", async () => {
    const dev = await contextFor(spawned[0]?.token as string);
    expect(await listModels.run(dev, {})).toEqual({
      persona: "dev",
      models: [
        { id: "gpt-4.1-mini", inputUsdPerMillion: 0.4, outputUsdPerMillion: 1.6 },
        { id: "replay", inputUsdPerMillion: 0, outputUsdPerMillion: 0 },
      ],
    });
    expect(await checkBudget.run(dev, { model: "gpt-4.1-mini", estimatedTokens: 1000 })).toMatchObject({
      effect: "allow",
      estimatedCostMicroUsd: 1600,
    });
    const usage = await recordUsage.run(dev, {
      model: "gpt-4.1-mini",
      inputTokens: 2000,
      outputTokens: 250,
    });
    expect(usage).toEqual({
      id: expect.stringMatching(/^use_/),
      tenant: "acme",
      agentId: spawned[0]?.agentId,
      persona: "dev",
      model: "gpt-4.1-mini",
      inputTokens: 2000,
      outputTokens: 250,
      costMicroUsd: 1200,
      recordedAt: expect.any(String),
      withinPolicy: true,
      policies: [],
      reasons: [],
    });
    const budgets = await getBudgets.run(founder, {});
    expect(budgets.budgets.find((b) => b.policy === "models.personas.dev.budget.day")).toMatchObject({
      tokens: { used: 2250, limit: 3000, remaining: 750 },
      costMicroUsd: { used: 1200, limit: 2000, remaining: 800 },
      over: false,
    });
    expect(budgets.budgets.find((b) => b.policy === "models.budgets.tenant.day")).toMatchObject({
      tokens: { used: 2250, limit: 10000 },
    });
    expect(await checkBudget.run(dev, { model: "gpt-4.1-mini", estimatedTokens: 1000 })).toMatchObject({
      effect: "deny",
      policies: ["models.personas.dev.budget.day"],
    });
  });

  it("records usage off the allowlist flagged, and passes a refused spawn on", async () => {
    const dev = await contextFor(spawned[0]?.token as string);
    const offList = await recordUsage.run(dev, { model: "gpt-4.1", inputTokens: 1, outputTokens: 1 });
    expect(offList).toMatchObject({
      model: "gpt-4.1",
      withinPolicy: false,
      policies: ["models.personas.dev.models"],
      reasons: [expect.stringContaining("gpt-4.1 is not on persona dev's allowlist")],
    });
    const spawn = await spawnAgent.run(dev, { persona: "ops", reason: "help" }).catch((e: unknown) => e);
    expect(spawn).toBeInstanceOf(ControllerRefused);
    expect(spawn).toMatchObject({ status: 400, code: "unauthorized_client" });
    expect(spawned).toHaveLength(1);
  });

  it("decides every call on the caller's own tenant, which no argument can change", async () => {
    expect(getBudgets.resource({ tenant: "globex" } as never, founder.caller.grant)).toEqual({
      kind: "team",
      name: "acme",
    });
  });

  it("keeps a spawned child for the runtime to claim when no onSpawn is given", async () => {
    const standalone = aiServer();
    const context = await contextFor(founder.caller.token, standalone);
    const result = await spawnAgent.run(context, {
      persona: "finance",
      reason: "watch costs",
    });
    expect(standalone.spawned.size).toBe(1);
    const claimed = standalone.spawned.claim(result.agentId);
    expect(claimed).toMatchObject({ agentId: result.agentId, persona: "finance", reason: "watch costs" });
    expect((await controller.introspect(claimed?.token as string)).sub).toBe(result.agentId);
    expect(standalone.spawned.claim(result.agentId)).toBeUndefined();
  });
});
