import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/support/app.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { verifyBundle } from "../ledger/bundle-verify.ts";
import { verifyInclusion } from "../ledger/merkle.ts";
import { createOperator, ensureBootstrapAdmin } from "../operators/operators.ts";
import { IN_PROCESS } from "./in-process.ts";
import { OPERATIONS } from "./openapi.ts";

describe.each(backends)("the HTTP API on %s", (backend) => {
  let database: TestDatabase;
  let harness: TestApp;
  let admin: string;
  let viewer: string;
  const call = (method: string, path: string, body?: unknown, key = admin, headers = {}) =>
    harness.app.request(path, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
  const form = (path: string, fields: Record<string, string>, key?: string) =>
    harness.app.request(path, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: new URLSearchParams(fields).toString(),
    });

  beforeAll(async () => {
    database = await freshDatabase(backend);
    harness = await testApp(database, { app: { rateLimitPerMinute: 1000, maxBodyBytes: 4096 } });
    admin = (await ensureBootstrapAdmin(database.db)) as string;
    viewer = (await createOperator(database.db, { name: "viewer", roles: ["auditor"] })).key;
    for (const id of ["acme", "globex"])
      expect((await call("POST", "/tenants", { id, displayName: id.toUpperCase() })).status).toBe(201);
  });
  afterAll(async () => {
    await harness.close();
    await database.dispose();
  });

  it("documents exactly the routes it serves, in an OpenAPI 3.1 document and a reference page", async () => {
    const served = harness.app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    expect(new Set(served)).toEqual(new Set(Object.keys(OPERATIONS)));
    const doc = (await (await harness.app.request("/openapi.json")).json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>
      >;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/tenants"]?.post?.requestBody?.content["application/json"]?.schema).toMatchObject({
      type: "object",
      required: ["id", "displayName"],
      properties: { id: { type: "string", description: expect.stringMatching(/lowercase/) } },
    });
    const page = await harness.app.request("/docs");
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("<code>POST /intents</code>");
  });

  it("tags every response with a request id, echoed into problems", async () => {
    const ok = await harness.app.request("/health");
    expect(ok.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await harness.app.request("/nowhere", { headers: { "x-request-id": "trace-42" } });
    expect(missing.headers.get("x-request-id")).toBe("trace-42");
    expect(await missing.json()).toMatchObject({ status: 404, requestId: "trace-42" });
  });

  it("answers malformed, mistyped and oversized bodies with 4xx problem+json, never 500", async () => {
    const cases: [unknown, number, RegExp][] = [
      ["{not json", 400, /not JSON/],
      [{ id: 7, displayName: "" }, 400, /id: .*displayName: /],
      [[], 400, /expected object/],
      [{ id: "big", displayName: "x".repeat(5000) }, 413, /exceeds 4096 bytes/],
    ];
    for (const [body, status, message] of cases) {
      const response = await call("POST", "/tenants", body);
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const problem = (await response.json()) as { title: string; detail?: string };
      expect(`${problem.title} ${problem.detail ?? ""}`).toMatch(message);
    }
    const badParam = await call("GET", "/tenants/NOT_A_TENANT");
    expect(await badParam.json()).toMatchObject({ status: 400, errors: [{ field: "tenant" }] });
    const badQuery = await call("GET", "/ledger/entries?limit=-1");
    expect(await badQuery.json()).toMatchObject({ status: 400, errors: [{ field: "query.limit" }] });
  });

  it("lists tenants and shows one with its quotas, usage and live agents", async () => {
    const list = (await (await call("GET", "/tenants")).json()) as { tenants: { id: string }[] };
    expect(list.tenants.map((t) => t.id)).toEqual(["acme", "globex"]);
    await call("POST", "/grants", { tenant: "acme", persona: "dev", audience: "github" });
    expect(await (await call("GET", "/tenants/acme")).json()).toMatchObject({
      id: "acme",
      displayName: "ACME",
      status: "active",
      quotas: { repos: 25, projects: 1, pipelines: 20, agents: 12 },
      usage: {},
      liveAgents: 1,
    });
    expect((await call("GET", "/tenants/nope")).status).toBe(404);
  });

  it("introspects grants for authenticated callers: live, revoked, forged", async () => {
    const minted = (await (
      await call("POST", "/grants", { tenant: "acme", persona: "ops", audience: "azure-devops" })
    ).json()) as { token: string; claims: { jti: string; sub: string } };
    const live = await form("/oauth/introspect", { token: minted.token }, viewer);
    expect(await live.json()).toMatchObject({
      active: true,
      client_id: minted.claims.sub,
      tenant: "acme",
      persona: "ops",
      aud: "azure-devops",
    });
    expect((await form("/oauth/introspect", { token: minted.token })).status).toBe(401);
    const forged = await form("/oauth/introspect", { token: `${minted.token.slice(0, -4)}AAAA` }, viewer);
    expect(await forged.json()).toEqual({ active: false });
    await call("POST", `/grants/${minted.claims.jti}/revoke`, { tenant: "acme" });
    const revoked = await form("/oauth/introspect", { token: minted.token }, viewer);
    expect(await revoked.json()).toEqual({ active: false });
    // A revoked grant is no credential either.
    expect((await form("/oauth/introspect", { token: minted.token }, minted.token)).status).toBe(401);
  });

  it("pages ledger entries and proves one's inclusion under a signed checkpoint", async () => {
    const page = (await (await call("GET", "/ledger/entries?tenant=acme&limit=2")).json()) as {
      entries: { seq: number; tenant: string; hash: string }[];
      next: number;
    };
    expect(page.entries).toHaveLength(2);
    expect(page.entries.every((e) => e.tenant === "acme")).toBe(true);
    const rest = (await (await call("GET", `/ledger/entries?tenant=acme&after=${page.next}`)).json()) as {
      entries: { seq: number }[];
    };
    expect(rest.entries[0]?.seq).toBeGreaterThan(page.next);
    const seq = page.entries[1]?.seq as number;
    expect((await call("GET", `/ledger/entries/${seq}/proof`)).status).toBe(409);
    expect((await call("POST", "/ledger/checkpoints")).status).toBe(201);
    const proof = (await (await call("GET", `/ledger/entries/${seq}/proof`)).json()) as {
      entry: { hash: string };
      checkpoint: { treeSize: number; rootHash: string };
      inclusion: string[];
    };
    expect(proof.entry.hash).toBe(page.entries[1]?.hash);
    expect(
      verifyInclusion(
        Buffer.from(proof.entry.hash, "hex"),
        seq - 1,
        proof.checkpoint.treeSize,
        proof.inclusion.map((h) => Buffer.from(h, "hex")),
        Buffer.from(proof.checkpoint.rootHash, "hex"),
      ),
    ).toBe(true);
    expect((await call("GET", "/ledger/entries/999999/proof")).status).toBe(404);
  });

  it("exports a tenant's ledger as a tar that extracts to a bundle the offline verifier accepts", async () => {
    const response = await call("GET", "/ledger/export?tenant=acme", undefined, viewer);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-tar");
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="ledger-acme-\d+\.tar"$/,
    );
    const dir = await mkdtemp(join(tmpdir(), "sf-export-test-"));
    try {
      await writeFile(join(dir, "bundle.tar"), Buffer.from(await response.arrayBuffer()));
      await promisify(execFile)("tar", ["-xf", "bundle.tar"], { cwd: dir });
      const report = await verifyBundle(dir);
      expect(report).toMatchObject({ ok: true, tenant: "acme" });
      expect(report.entries).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect((await call("GET", "/ledger/export?tenant=ACME")).status).toBe(400);
    expect((await call("GET", "/ledger/export", undefined, "sfk_forged")).status).toBe(401);
  });

  it("kills everything only for a platform-admin who confirms it", async () => {
    const dev = (await (
      await call("POST", "/grants", { tenant: "globex", persona: "dev", audience: "github" })
    ).json()) as { token: string };
    expect((await call("POST", "/kill", { confirm: "everything" }, viewer)).status).toBe(403);
    const unconfirmed = await call("POST", "/kill", {});
    expect(await unconfirmed.json()).toMatchObject({ status: 400, errors: [{ field: "confirm" }] });
    const killed = await call("POST", "/kill", { confirm: "everything" });
    expect(await killed.json()).toEqual({ killed: ["acme", "globex"] });
    const after = await call(
      "POST",
      "/intents",
      {
        tool: "contents_commit_files",
        resource: { kind: "repository", name: "globex-api" },
        idempotencyKey: "after-the-kill",
      },
      dev.token,
    );
    expect(await after.json()).toMatchObject({ status: 401, code: "grant_revoked" });
    const refused = await call("POST", "/grants", { tenant: "acme", persona: "dev", audience: "github" });
    expect(await refused.json()).toMatchObject({ status: 403, reasons: ["tenant acme is suspended"] });
  });
});

describe.each(backends)("rate limits on %s", (backend) => {
  let database: TestDatabase;
  let harness: TestApp;
  let clock = 0;

  beforeAll(async () => {
    database = await freshDatabase(backend);
    harness = await testApp(database, { app: { rateLimitPerMinute: 3, rateLimitClock: () => clock } });
  });
  afterAll(async () => {
    await harness.close();
    await database.dispose();
  });

  it("answers 429 with Retry-After per principal, and refills with time", async () => {
    const alice = (await createOperator(database.db, { name: "alice", roles: ["platform-admin"] })).key;
    const bob = (await createOperator(database.db, { name: "bob", roles: ["platform-admin"] })).key;
    const as = (key: string) =>
      harness.app.request("/tenants", { headers: { authorization: `Bearer ${key}` } });
    for (let i = 0; i < 3; i++) expect((await as(alice)).status).toBe(200);
    const limited = await as(alice);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("20");
    expect(await limited.json()).toMatchObject({ type: expect.stringMatching(/rate-limited$/) });
    expect((await as(bob)).status).toBe(200);
    clock += 20_000;
    expect((await as(alice)).status).toBe(200);
  });

  it("does not count what the process asks of itself (an MCP call's decision, intent, credential)", async () => {
    const carol = (await createOperator(database.db, { name: "carol", roles: ["platform-admin"] })).key;
    const inside = () =>
      harness.app.fetch(
        new Request("http://controller.internal/tenants", { headers: { authorization: `Bearer ${carol}` } }),
        IN_PROCESS,
      );
    for (let i = 0; i < 10; i++) expect((await inside()).status).toBe(200);
    // An outside caller cannot claim the marker: a look-alike environment is counted as usual.
    const lookalike = () =>
      harness.app.fetch(
        new Request("http://controller.internal/tenants", { headers: { authorization: `Bearer ${carol}` } }),
        { inProcess: true },
      );
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await lookalike()).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
