import { like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/support/app.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { failure } from "../../test/support/failure.ts";
import { AgentClient, ControllerRefused } from "../client/agent-client.ts";
import { ledgerEntries, tenantSecrets, tenants } from "../db/schema.ts";
import { asPlatform, withTenant } from "../db/scope.ts";
import { ensureBootstrapAdmin } from "../operators/operators.ts";

describe.each(backends)("the secret vault over HTTP on %s", (backend) => {
  let database: TestDatabase;
  let harness: TestApp;
  let client: AgentClient;
  let acme: string;
  let globex: string;
  let adminKey: string;
  const value = "pg-password-Zx81-notARealOne-0000";
  const put = (body: unknown, token = acme) =>
    harness.app.request("/secrets", {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const problem = async (response: Response) => ({ status: response.status, body: await response.json() });

  beforeAll(async () => {
    database = await freshDatabase(backend);
    harness = await testApp(database);
    client = new AgentClient({ url: "http://controller", fetch: (request) => harness.app.fetch(request) });
    await asPlatform(database.db, (tx) =>
      tx.insert(tenants).values([
        { id: "acme", displayName: "Acme" },
        { id: "globex", displayName: "Globex" },
      ]),
    );
    const mint = async (tenant: string) =>
      (await harness.grants.issuer.mint({ tenant, persona: "ops", audience: "database", actor: "test" }))
        .token;
    acme = await mint("acme");
    globex = await mint("globex");
    adminKey = (await ensureBootstrapAdmin(database.db)) as string;
  });
  afterAll(async () => {
    await harness.close();
    await database.dispose();
  });

  it("stores a secret for the grant's tenant and resolves it, never cached, never in the ledger", async () => {
    const response = await put({ ref: "secret://acme/database/app", value });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const stored = (await response.json()) as { fingerprint: string };
    expect(stored).toEqual({
      ref: "secret://acme/database/app",
      fingerprint: expect.stringMatching(/^hmac-sha256:[0-9a-f]{16}:[0-9a-f]{64}$/),
      updatedAt: expect.any(String),
    });
    const resolved = await harness.app.request("/secrets/resolve", {
      method: "POST",
      headers: { authorization: `Bearer ${acme}`, "content-type": "application/json" },
      body: JSON.stringify({ ref: "secret://acme/database/app" }),
    });
    expect(resolved.headers.get("cache-control")).toBe("no-store");
    expect(await resolved.json()).toEqual({ ref: "secret://acme/database/app", value });

    const entries = await asPlatform(database.db, (tx) =>
      tx
        .select({ actor: ledgerEntries.actor, action: ledgerEntries.action, payload: ledgerEntries.payload })
        .from(ledgerEntries)
        .where(like(ledgerEntries.action, "secret.%")),
    );
    const agent = `agent:${(await client.introspect(acme)).sub}`;
    expect(entries).toEqual([
      {
        actor: agent,
        action: "secret.stored",
        payload: { ref: "secret://acme/database/app", fingerprint: { $hmac: stored.fingerprint } },
      },
      {
        actor: agent,
        action: "secret.resolved",
        payload: { ref: "secret://acme/database/app", fingerprint: stored.fingerprint },
      },
    ]);
    const everything = await asPlatform(database.db, (tx) =>
      tx.select({ body: ledgerEntries.body }).from(ledgerEntries),
    );
    expect(JSON.stringify(everything)).not.toContain(value);
    const [row] = await withTenant(database.db, "acme", (tx) => tx.select().from(tenantSecrets));
    expect(row?.ciphertext).toMatch(/^v1:[0-9a-f]{16}:/);
    expect(row?.ciphertext).not.toContain(value);
    expect(Buffer.from(row?.ciphertext.split(":").at(-1) ?? "", "base64url").toString()).not.toContain(value);
    expect(await withTenant(database.db, "globex", (tx) => tx.select().from(tenantSecrets))).toEqual([]);
  });

  it("replaces a value through the agent client, with a new fingerprint", async () => {
    const first = await client.storeSecret(acme, "secret://acme/npm-token", "npm_first_value_0001");
    const second = await client.storeSecret(acme, "secret://acme/npm-token", "npm_second_value_0002");
    expect(second.ref).toBe("secret://acme/npm-token");
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(await client.resolveSecret(acme, "secret://acme/npm-token")).toBe("npm_second_value_0002");
  });

  it("refuses another tenant's secrets, both ways", async () => {
    await client.storeSecret(acme, "secret://acme/database/app", value);
    const resolving = await failure<ControllerRefused>(
      client.resolveSecret(globex, "secret://acme/database/app"),
    );
    expect(resolving).toBeInstanceOf(ControllerRefused);
    expect([resolving.status, resolving.code]).toEqual([403, "secret-outside-tenant"]);
    expect(resolving.message).toBe(
      "another tenant's secret: secret://acme/database/app is not a secret of tenant globex: refs must start with secret://globex/",
    );
    expect(
      await problem(await put({ ref: "secret://acme/database/app", value: "overwrite" }, globex)),
    ).toMatchObject({
      status: 403,
      body: { type: expect.stringMatching(/secret-outside-tenant$/) },
    });
    expect(
      await problem(await put({ ref: "secret://globex/x", value: "v", tenant: "acme" }, globex)),
    ).toMatchObject({
      status: 403,
      body: { errors: [{ field: "tenant", message: "is not the grant's tenant" }] },
    });
    expect(await client.resolveSecret(acme, "secret://acme/database/app")).toBe(value);
  });

  it("names the bad field, and answers 404 for a ref with nothing stored and 401 without a grant", async () => {
    expect(await problem(await put({ ref: "npm-token", value }))).toMatchObject({
      status: 400,
      body: { errors: [{ field: "ref", message: expect.stringMatching(/secret:\/\/<tenant>/) }] },
    });
    expect(await problem(await put({ ref: "secret://acme/x" }))).toMatchObject({
      status: 400,
      body: { errors: [{ field: "value" }] },
    });
    const missing = await failure<ControllerRefused>(
      client.resolveSecret(acme, "secret://acme/nothing-here"),
    );
    expect([missing.status, missing.code]).toEqual([404, "secret-not-found"]);
    const anonymous = await harness.app.request("/secrets", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ref: "secret://acme/x", value }),
    });
    expect(anonymous.status).toBe(401);
  });

  it("lets an operator store a tenant's secret by naming the tenant", async () => {
    const asOperator = (body: unknown) => put(body, adminKey);
    expect(await problem(await asOperator({ ref: "secret://globex/deploy-key", value: "k1" }))).toMatchObject(
      {
        status: 400,
        body: { errors: [{ field: "tenant", message: "an operator must name the tenant" }] },
      },
    );
    expect(
      (await asOperator({ ref: "secret://globex/deploy-key", value: "k1", tenant: "acme" })).status,
    ).toBe(403);
    expect(
      (await asOperator({ ref: "secret://nobody/deploy-key", value: "k1", tenant: "nobody" })).status,
    ).toBe(404);
    const stored = await asOperator({
      ref: "secret://globex/deploy-key",
      value: "deploy-key-value",
      tenant: "globex",
    });
    expect(stored.status).toBe(200);
    expect(await client.resolveSecret(globex, "secret://globex/deploy-key")).toBe("deploy-key-value");
    const [entry] = await asPlatform(database.db, (tx) =>
      tx
        .select({ actor: ledgerEntries.actor })
        .from(ledgerEntries)
        .where(like(ledgerEntries.resource, "secret:secret://globex/deploy-key")),
    );
    expect(entry?.actor).toMatch(/^operator:/);
  });
});
