import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/support/app.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { queryRows } from "../db/database.ts";
import type { Grants } from "../grants/grants.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { createOperator, ensureBootstrapAdmin } from "../operators/operators.ts";

describe.each(backends)("operator routes on %s", (backend) => {
  let database: TestDatabase;
  let ledger: Ledger;
  let grants: Grants;
  let app: TestApp["app"];
  let harness: TestApp;
  let adminKey: string;
  const call = (method: string, path: string, body?: unknown, key = adminKey) =>
    app.request(path, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });

  beforeAll(async () => {
    database = await freshDatabase(backend);
    harness = await testApp(database);
    ({ app, ledger, grants } = harness);
    adminKey = (await ensureBootstrapAdmin(database.db)) as string;
  });
  afterAll(async () => {
    await harness.close();
    await database.dispose();
  });

  it("creates the bootstrap admin once, and keeps only a hash of its key", async () => {
    expect(adminKey).toMatch(/^sfk_/);
    expect(await ensureBootstrapAdmin(database.db)).toBeUndefined();
    const rows = await queryRows<Record<string, unknown>>(database.db, sql`select * from operators`);
    expect(rows).toEqual([
      expect.objectContaining({
        name: "admin",
        key_hash: createHash("sha256").update(adminKey).digest("hex"),
      }),
    ]);
    expect(JSON.stringify(rows)).not.toContain(adminKey);
  });

  it("refuses requests without a valid operator key, with 401 and WWW-Authenticate", async () => {
    for (const key of ["", "sfk_wrongwrongwrongwrongwrong", "not-a-key"]) {
      const response = await call("POST", "/tenants", { id: "acme", displayName: "Acme" }, key);
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    expect((await app.request("/health")).status).toBe(200); // public routes stay public
  });

  it("creates tenants, naming the bad field and refusing duplicates", async () => {
    const created = await call("POST", "/tenants", { id: "acme", displayName: "Acme" });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: "acme", status: "active" });
    const duplicate = await call("POST", "/tenants", { id: "acme", displayName: "Acme again" });
    expect(duplicate.status).toBe(409);
    const bad = await call("POST", "/tenants", { id: "Acme-Labs", displayName: "" });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: { field: string }[]; detail: string };
    expect(problem.errors.map((e) => e.field)).toEqual(["id", "displayName"]);
    expect((await call("POST", "/tenants", "{oops")).status).toBe(400);
  });

  it("mints root grants, answers a denial with 403 and its reasons, and shows lineage", async () => {
    const minted = await call("POST", "/grants", { tenant: "acme", persona: "founder", audience: "github" });
    expect(minted.status).toBe(201);
    const { token, agentId } = (await minted.json()) as { token: string; agentId: string };
    expect((await grants.verifierFor("github").verify(token)).persona).toBe("founder");
    const denied = await call("POST", "/grants", {
      tenant: "acme",
      persona: "dev",
      audience: "github",
      ttlMinutes: 90,
    });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({
      reasons: ["a grant may live at most 30 minutes, not 90"],
      policies: ["ttl"],
    });
    const missing = await call("POST", "/grants", { tenant: "acme", audience: "github" });
    expect(missing.status).toBe(400);
    const tree = await call("GET", `/tenants/acme/agents/${agentId}/lineage`);
    expect(await tree.json()).toMatchObject({ id: agentId, persona: "founder", children: [] });
    expect((await call("GET", "/tenants/acme/agents/agt_nope/lineage")).status).toBe(404);
    const badTenant = await call("GET", "/tenants/ACME/agents/agt_nope/lineage");
    expect(badTenant.status).toBe(400);
    expect(await badTenant.json()).toMatchObject({ detail: expect.stringMatching(/^tenant: must be/) });
    const entries = await ledger.entries({ limit: 50 });
    expect(entries.find((e) => e.action === "grant.minted")?.actor).toBe("operator:admin");
  });

  it("revokes and kills, and a key with fewer roles still authenticates as itself", async () => {
    const { token, claims } = await grants.issuer.mint({
      tenant: "acme",
      persona: "founder",
      audience: "github",
      actor: "test",
    });
    const revoked = await call("POST", `/grants/${claims.jti}/revoke`, { tenant: "acme" });
    expect(await revoked.json()).toEqual({ revoked: [claims.jti] });
    await expect(grants.verifierFor("github").verify(token)).rejects.toMatchObject({ code: "grant_revoked" });
    const { key } = await createOperator(database.db, { name: "sam", roles: ["security-lead"] });
    const killed = await call("POST", "/tenants/acme/kill", undefined, key);
    expect(await killed.json()).toEqual({ killed: "acme" });
    expect((await ledger.entries({ limit: 100 })).find((e) => e.action === "tenant.killed")?.actor).toBe(
      "operator:sam",
    );
    expect(
      (await call("POST", "/grants", { tenant: "acme", persona: "founder", audience: "github" })).status,
    ).toBe(403);
  });
});
