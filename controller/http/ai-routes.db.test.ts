import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/support/app.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { TEST_MODELS } from "../../test/support/models.ts";
import { tenants } from "../db/schema.ts";
import { asPlatform } from "../db/scope.ts";

const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT = "urn:ietf:params:oauth:token-type:jwt";

describe.each(backends)("the AI factory's routes on %s", (backend) => {
  let database: TestDatabase;
  let harness: TestApp;
  // Fixed while a test runs, so no assertion depends on crossing midnight; one test moves it a day on.
  const start = new Date();
  let now = start;
  let founder: { token: string; agentId: string };
  let dev: { token: string; agentId: string };
  let globex: string;

  const request = (method: string, path: string, token?: string, body?: unknown) =>
    harness.app.request(path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        "content-type": "application/json",
      },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
  const json = async (response: Response) => ({
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  });
  const lastEntry = async () => (await harness.ledger.entries({ limit: 1000 })).at(-1);

  beforeAll(async () => {
    database = await freshDatabase(backend);
    harness = await testApp(database, {
      clock: () => now,
      policyEdits: { "models.yaml": () => TEST_MODELS },
    });
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
    founder = { token: minted.token, agentId: minted.agentId };
    const exchanged = (await (
      await harness.app.request("/oauth/token", {
        method: "POST",
        body: new URLSearchParams({
          grant_type: EXCHANGE,
          subject_token_type: JWT,
          subject_token: founder.token,
          persona: "dev",
        }),
      })
    ).json()) as { access_token: string; agent_id: string };
    dev = { token: exchanged.access_token, agentId: exchanged.agent_id };
    globex = (
      await harness.grants.issuer.mint({
        tenant: "globex",
        persona: "founder",
        audience: "ai",
        actor: "operator:grace",
      })
    ).token;
  });
  afterAll(async () => {
    await harness.close();
    await database.dispose();
  });

  it("lists the team with its lineage after a spawn through token exchange, and only the caller's tenant", async () => {
    const member = {
      server: "ai",
      startedBy: "operator:ada",
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
      status: "live",
    };
    const acme = await json(await request("GET", "/team", dev.token));
    expect(acme).toEqual({
      status: 200,
      body: {
        tenant: "acme",
        truncated: false,
        agents: [
          { ...member, id: founder.agentId, persona: "founder", role: "founder", parentId: null, depth: 0 },
          { ...member, id: dev.agentId, persona: "dev", role: "dev", parentId: founder.agentId, depth: 1 },
        ],
      },
    });
    const latest = await json(await request("GET", "/team?limit=1", founder.token));
    expect(latest.body).toMatchObject({ truncated: true, agents: [{ id: dev.agentId }] });

    const other = await json(await request("GET", "/team", globex));
    expect(other.body).toMatchObject({ tenant: "globex", agents: [{ persona: "founder", depth: 0 }] });
    expect(JSON.stringify(other.body)).not.toContain(founder.agentId);
    expect(JSON.stringify(other.body)).not.toContain(dev.agentId);
  });

  it("lists a persona's allowlist with prices", async () => {
    expect(await json(await request("GET", "/models", dev.token))).toEqual({
      status: 200,
      body: {
        persona: "dev",
        models: [
          { id: "gpt-4.1-mini", inputUsdPerMillion: 0.4, outputUsdPerMillion: 1.6 },
          { id: "replay", inputUsdPerMillion: 0, outputUsdPerMillion: 0 },
        ],
      },
    });
    expect((await json(await request("GET", "/models?persona=ops", dev.token))).body).toEqual({
      persona: "ops",
      models: [],
    });
  });

  it("records usage at the model's price, in the ledger, and counts it against every budget", async () => {
    const recorded = await json(
      await request("POST", "/usage", dev.token, {
        model: "gpt-4.1-mini",
        inputTokens: 1000,
        outputTokens: 500,
      }),
    );
    // 1000 × $0.40/M + 500 × $1.60/M = $0.0012
    expect(recorded).toEqual({
      status: 201,
      body: {
        id: expect.stringMatching(/^use_/),
        tenant: "acme",
        agentId: dev.agentId,
        persona: "dev",
        model: "gpt-4.1-mini",
        inputTokens: 1000,
        outputTokens: 500,
        costMicroUsd: 1200,
        recordedAt: now.toISOString(),
        withinPolicy: true,
        policies: [],
        reasons: [],
      },
    });
    expect(await lastEntry()).toMatchObject({
      tenant: "acme",
      actor: dev.agentId,
      action: "model.usage",
      resource: `agent:${dev.agentId}`,
      payload: {
        usageId: recorded.body.id,
        persona: "dev",
        model: "gpt-4.1-mini",
        inputTokens: 1000,
        outputTokens: 500,
        costMicroUsd: 1200,
      },
    });

    const day = {
      period: "day",
      from: expect.stringMatching(/T00:00:00.000Z$/),
      until: expect.stringMatching(/T00:00:00.000Z$/),
    };
    const month = {
      period: "month",
      from: expect.stringMatching(/-01T00:00:00.000Z$/),
      until: expect.any(String),
    };
    const unlimited = (used: number) => ({ used, limit: null, remaining: null });
    const budgets = await json(await request("GET", "/budgets", founder.token));
    expect(budgets).toEqual({
      status: 200,
      body: {
        tenant: "acme",
        asOf: now.toISOString(),
        budgets: [
          {
            policy: "models.budgets.tenant.day",
            scope: "tenant",
            persona: null,
            ...day,
            tokens: { used: 1500, limit: 10000, remaining: 8500 },
            costMicroUsd: unlimited(1200),
            over: false,
          },
          {
            policy: "models.budgets.tenant.month",
            scope: "tenant",
            persona: null,
            ...month,
            tokens: unlimited(1500),
            costMicroUsd: { used: 1200, limit: 1_000_000, remaining: 998_800 },
            over: false,
          },
          {
            policy: "models.personas.founder.budget.day",
            scope: "persona",
            persona: "founder",
            ...day,
            tokens: unlimited(0),
            costMicroUsd: unlimited(0),
            over: false,
          },
          {
            policy: "models.personas.founder.budget.month",
            scope: "persona",
            persona: "founder",
            ...month,
            tokens: unlimited(0),
            costMicroUsd: unlimited(0),
            over: false,
          },
          {
            policy: "models.personas.dev.budget.day",
            scope: "persona",
            persona: "dev",
            ...day,
            tokens: { used: 1500, limit: 3000, remaining: 1500 },
            costMicroUsd: { used: 1200, limit: 2000, remaining: 800 },
            over: false,
          },
          {
            policy: "models.personas.dev.budget.month",
            scope: "persona",
            persona: "dev",
            ...month,
            tokens: unlimited(1500),
            costMicroUsd: unlimited(1200),
            over: false,
          },
        ],
      },
    });
  });

  it("records usage of a model off the persona's allowlist, flagged with the policy it broke", async () => {
    // A tenant of its own, so the spend does not move acme's figures.
    await asPlatform(database.db, (tx) =>
      tx.insert(tenants).values({ id: "umbrella", displayName: "Umbrella" }),
    );
    const umbrellaDev = await harness.grants.issuer.mint({
      tenant: "umbrella",
      persona: "dev",
      audience: "ai",
      actor: "operator:ada",
    });
    const recorded = await json(
      await request("POST", "/usage", umbrellaDev.token, {
        model: "gpt-4.1",
        inputTokens: 10,
        outputTokens: 10,
      }),
    );
    expect(recorded).toEqual({
      status: 201,
      body: {
        id: expect.stringMatching(/^use_/),
        tenant: "umbrella",
        agentId: umbrellaDev.agentId,
        persona: "dev",
        model: "gpt-4.1",
        inputTokens: 10,
        outputTokens: 10,
        costMicroUsd: 100,
        recordedAt: now.toISOString(),
        withinPolicy: false,
        policies: ["models.personas.dev.models"],
        reasons: [
          "gpt-4.1 is not on persona dev's allowlist (models.personas.dev.models): gpt-4.1-mini, replay",
        ],
      },
    });
    expect(await lastEntry()).toMatchObject({
      actor: umbrellaDev.agentId,
      action: "model.usage",
      payload: {
        model: "gpt-4.1",
        inputTokens: 10,
        outputTokens: 10,
        withinPolicy: false,
        policies: ["models.personas.dev.models"],
      },
    });
    // The tokens were spent, so they count.
    const budgets = (await json(await request("GET", "/budgets", umbrellaDev.token))).body.budgets as {
      policy: string;
      tokens: { used: number };
      costMicroUsd: { used: number };
    }[];
    expect(budgets.find((b) => b.policy === "models.personas.dev.budget.day")).toMatchObject({
      tokens: { used: 20 },
      costMicroUsd: { used: 100 },
    });
  });

  it("answers a budget check before a call, and records usage that took a budget over, flagged, naming which", async () => {
    const check = async (estimatedTokens: number) =>
      json(await request("POST", "/budgets/check", dev.token, { model: "gpt-4.1-mini", estimatedTokens }));
    // 400 tokens at the dearer rate ($1.60/M) = 640 µ$; dev has 1500 tokens and 800 µ$ left today.
    expect(await check(400)).toEqual({
      status: 200,
      body: {
        effect: "allow",
        model: "gpt-4.1-mini",
        estimatedTokens: 400,
        estimatedCostMicroUsd: 640,
        policies: [
          "models.personas.dev.models",
          "models.budgets.tenant.day",
          "models.budgets.tenant.month",
          "models.personas.dev.budget.day",
        ],
        reasons: [
          "gpt-4.1-mini is on persona dev's allowlist",
          "within the tenant's day budget (models.budgets.tenant.day)",
          "within the tenant's month budget (models.budgets.tenant.month)",
          "within persona dev's day budget (models.personas.dev.budget.day)",
        ],
      },
    });
    expect((await check(600)).body).toMatchObject({
      effect: "deny",
      estimatedCostMicroUsd: 960,
      policies: ["models.personas.dev.budget.day"],
      reasons: [
        "persona dev's day budget (models.personas.dev.budget.day): $0.001200 of $0.002000 spent, $0.000960 more would exceed it",
      ],
    });
    expect((await check(0)).body).toMatchObject({ effect: "allow" });

    const over = await json(
      await request("POST", "/usage", dev.token, {
        model: "gpt-4.1-mini",
        inputTokens: 1000,
        outputTokens: 600,
      }),
    );
    expect(over).toMatchObject({
      status: 201,
      body: {
        withinPolicy: false,
        policies: ["models.personas.dev.budget.day"],
        reasons: [
          "persona dev's day budget (models.personas.dev.budget.day): 1500 of 3000 tokens used, 1600 more would exceed it",
          "persona dev's day budget (models.personas.dev.budget.day): $0.001200 of $0.002000 spent, $0.001360 more would exceed it",
        ],
      },
    });
    expect(await lastEntry()).toMatchObject({
      action: "model.usage",
      payload: { withinPolicy: false, policies: ["models.personas.dev.budget.day"] },
    });
    const budgets = (await json(await request("GET", "/budgets", dev.token))).body.budgets as {
      policy: string;
      tokens: { used: number };
      over: boolean;
    }[];
    expect(budgets.find((b) => b.policy === "models.personas.dev.budget.day")).toMatchObject({
      tokens: { used: 3100 },
      over: true,
    });
    // Over budget now: the next check refuses even a small call.
    expect((await check(10)).body).toMatchObject({
      effect: "deny",
      policies: ["models.personas.dev.budget.day"],
    });
  });

  it("keeps each tenant's usage and budgets apart", async () => {
    const overGlobex = await json(
      await request("POST", "/usage", globex, { model: "replay", inputTokens: 60, outputTokens: 50 }),
    );
    expect(overGlobex.body).toMatchObject({
      tenant: "globex",
      costMicroUsd: 0,
      withinPolicy: false,
      policies: ["models.budgets.tenants.globex.day"],
      reasons: [
        "the tenant's day budget (models.budgets.tenants.globex.day): 0 of 100 tokens used, 110 more would exceed it",
      ],
    });
    const globexBudgets = (await json(await request("GET", "/budgets", globex))).body;
    expect(globexBudgets).toMatchObject({
      tenant: "globex",
      budgets: [
        { policy: "models.budgets.tenants.globex.day", tokens: { used: 110, limit: 100 }, over: true },
        // globex's override sets no month budget: the default tenant month budget does not apply to it.
        { policy: "models.budgets.tenants.globex.month", tokens: { used: 110, limit: null } },
        { persona: "founder", period: "day", tokens: { used: 110 } },
        { persona: "founder", period: "month" },
        { persona: "dev", period: "day", tokens: { used: 0 } },
        { persona: "dev", period: "month", tokens: { used: 0 } },
      ],
    });
    const acmeBudgets = (await json(await request("GET", "/budgets", founder.token))).body.budgets as {
      policy: string;
      tokens: { used: number };
    }[];
    expect(acmeBudgets[0]).toMatchObject({ policy: "models.budgets.tenant.day", tokens: { used: 3100 } });
  });

  it("judges each of two concurrent calls against the other: only one of them fits the budget", async () => {
    await asPlatform(database.db, (tx) =>
      tx.insert(tenants).values({ id: "initech", displayName: "Initech" }),
    );
    const { token } = await harness.grants.issuer.mint({
      tenant: "initech",
      persona: "founder",
      audience: "ai",
      actor: "operator:ada",
    });
    const spend = () =>
      request("POST", "/usage", token, { model: "replay", inputTokens: 6000, outputTokens: 0 });
    const answers = await Promise.all([spend(), spend()]);
    expect(answers.map((r) => r.status)).toEqual([201, 201]);
    const flags = (await Promise.all(answers.map((r) => r.json() as Promise<{ withinPolicy: boolean }>)))
      .map((b) => b.withinPolicy)
      .sort();
    expect(flags).toEqual([false, true]);
    const budgets = (await json(await request("GET", "/budgets", token))).body.budgets as {
      policy: string;
      tokens: { used: number };
    }[];
    expect(budgets[0]).toMatchObject({
      policy: "models.budgets.tenant.day",
      tokens: { used: 12000 },
      over: true,
    });
  });

  it("starts a fresh day budget the next day", async () => {
    now = new Date(start.getTime() + 24 * 3600_000);
    try {
      const recorded = await request("POST", "/usage", dev.token, {
        model: "gpt-4.1-mini",
        inputTokens: 1000,
        outputTokens: 600,
      });
      expect(recorded.status).toBe(201);
      const budgets = (await json(await request("GET", "/budgets", dev.token))).body.budgets as {
        policy: string;
        tokens: { used: number };
      }[];
      const sameMonth = now.getUTCMonth() === start.getUTCMonth();
      expect(budgets.map((b) => [b.policy, b.tokens.used])).toEqual([
        ["models.budgets.tenant.day", 1600],
        ["models.budgets.tenant.month", sameMonth ? 4700 : 1600],
        ["models.personas.founder.budget.day", 0],
        ["models.personas.founder.budget.month", 0],
        ["models.personas.dev.budget.day", 1600],
        ["models.personas.dev.budget.month", sameMonth ? 4700 : 1600],
      ]);
    } finally {
      now = start;
    }
  });

  it("shows a revoked agent as revoked in the team", async () => {
    await harness.grants.revoker.revokeAgent("acme", dev.agentId, "operator:ada");
    const team = (await json(await request("GET", "/team", founder.token))).body;
    expect(team.agents).toEqual([
      expect.objectContaining({ id: founder.agentId, status: "live" }),
      expect.objectContaining({ id: dev.agentId, status: "revoked", expiresAt: null }),
    ]);
    expect((await request("GET", "/budgets", dev.token)).status).toBe(401);
  });

  it("refuses a missing grant and malformed input, naming the field", async () => {
    const missing = await json(await request("GET", "/team"));
    expect(missing).toMatchObject({ status: 401, body: { code: "grant_missing" } });
    const usage = await json(
      await request("POST", "/usage", founder.token, { model: "GPT 4!", inputTokens: -1, outputTokens: 1.5 }),
    );
    expect(usage.status).toBe(400);
    expect((usage.body.errors as { field: string }[]).map((e) => e.field)).toEqual([
      "model",
      "inputTokens",
      "outputTokens",
    ]);
    const check = await json(await request("POST", "/budgets/check", founder.token, { model: "replay" }));
    expect(check.body).toMatchObject({
      status: 400,
      errors: [{ field: "estimatedTokens", message: expect.any(String) }],
    });
    const broken = await json(await request("POST", "/usage", founder.token, "{not json"));
    expect(broken.body).toMatchObject({ status: 400, title: "the body is not JSON" });
    const limit = await json(await request("GET", "/team?limit=0", founder.token));
    expect(limit.body).toMatchObject({ status: 400, errors: [{ field: "query.limit" }] });
    const persona = await json(await request("GET", "/models?persona=Dev!", founder.token));
    expect(persona.body).toMatchObject({ status: 400, errors: [{ field: "query.persona" }] });
  });
});
