import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/support/app.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { intents, tenants } from "../db/schema.ts";
import { asPlatform, withTenant } from "../db/scope.ts";
import { ensureBootstrapAdmin } from "../operators/operators.ts";

describe.each(backends)("intents over HTTP on %s", (backend) => {
  let database: TestDatabase;
  let harness: TestApp;
  let grant: string;
  let adminKey: string;
  const post = (path: string, body: unknown, token = grant) =>
    harness.app.request(path, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const intent = (key: string) => ({
    tool: "contents_commit_files",
    resource: { kind: "repository", name: "acme-api" },
    idempotencyKey: key,
    arguments: { branch: "feature/x" },
  });

  beforeAll(async () => {
    database = await freshDatabase(backend);
    harness = await testApp(database);
    await asPlatform(database.db, (tx) => tx.insert(tenants).values({ id: "acme", displayName: "Acme" }));
    grant = (
      await harness.grants.issuer.mint({ tenant: "acme", persona: "dev", audience: "github", actor: "test" })
    ).token;
    adminKey = (await ensureBootstrapAdmin(database.db)) as string;
  });
  afterAll(async () => {
    await harness.close();
    await database.dispose();
  });

  it("records an intent for the grant's bearer, replays it, and takes its outcome", async () => {
    const first = await post("/intents", intent("http-0001"));
    expect(first.status).toBe(201);
    const decided = (await first.json()) as { intentId: string; decision: string };
    expect(decided.decision).toBe("allow");
    const replay = await post("/intents", intent("http-0001"));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ intentId: decided.intentId, replayed: true });
    const reused = await post("/intents", { ...intent("http-0001"), arguments: { branch: "main" } });
    expect(reused.status).toBe(409);
    const nul = await post("/intents", { ...intent("http-0009"), arguments: { branch: "a\u0000b" } });
    expect(nul.status).toBe(400);
    expect(await nul.json()).toMatchObject({ detail: expect.stringMatching(/payload\.branch/) });
    const outcome = await post(`/intents/${decided.intentId}/outcome`, { status: "succeeded" });
    expect(await outcome.json()).toEqual({ intent: decided.intentId, outcome: "succeeded" });
  });

  it("keeps only a keyed HMAC of arguments marked $sensitive", async () => {
    const secret = "ghp_notARealTokenButSecretAnyway0000";
    const recorded = await post("/intents", {
      ...intent("http-0100"),
      arguments: { branch: "feature/x", token: { $sensitive: secret } },
    });
    expect(recorded.status).toBe(201);
    const entry = (await harness.ledger.entries({ limit: 100 })).at(-1);
    expect(entry?.payload.arguments).toEqual({
      branch: "feature/x",
      token: { $hmac: expect.stringMatching(/^hmac-sha256:[^:]+:[0-9a-f]{64}$/) },
    });
    const rows = await withTenant(database.db, "acme", (tx) => tx.select().from(intents));
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(JSON.stringify(await harness.ledger.entries({ limit: 100 }))).not.toContain(secret);
  });

  it("refuses a missing, forged or revoked grant with 401 and its code", async () => {
    const missing = await harness.app.request("/intents", { method: "POST", body: "{}" });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ code: "grant_missing" });
    const forged = await post("/intents", intent("http-0002"), `${grant.slice(0, -6)}AAAAAA`);
    expect(await forged.json()).toMatchObject({ code: "grant_bad_signature" });
    const claims = await harness.grants.verifierFor("github").verify(grant);
    await harness.grants.revoker.revokeGrant("acme", claims.jti, "test");
    const revoked = await post("/intents", intent("http-0003"));
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    expect(await revoked.json()).toMatchObject({ code: "grant_revoked" });
  });

  it("lists overdue intents to operators only", async () => {
    const url = "/tenants/acme/intents/overdue";
    expect((await harness.app.request(url)).status).toBe(401);
    const listed = await harness.app.request(url, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(await listed.json()).toEqual({ overdue: [] });
  });
});
