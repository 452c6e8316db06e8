import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/support/app.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { loadConfig } from "../config.ts";
import { ledgerEntries, tenants } from "../db/schema.ts";
import { asPlatform } from "../db/scope.ts";
import type { TenantDatabases } from "./database-broker.ts";

describe.each(backends)("the database broker on %s", (backend) => {
  const worlds: { database: TestDatabase; harness: TestApp }[] = [];
  const world = async (tenantDatabases?: TenantDatabases) => {
    const database = await freshDatabase(backend);
    const harness = await testApp(database, {
      ...(tenantDatabases ? { tenantDatabases } : {}),
      policyEdits: {
        "databases.yaml": (t) => t.replace("tenants: {}", "tenants:\n  globex:\n    isolation: database"),
      },
    });
    worlds.push({ database, harness });
    await asPlatform(database.db, (tx) =>
      tx.insert(tenants).values([
        { id: "acme", displayName: "Acme" },
        { id: "globex", displayName: "Globex" },
      ]),
    );
    const credential = async (tenant: string, audience: "database" | "github" = "database") => {
      const grant = await harness.grants.issuer.mint({ tenant, persona: "ops", audience, actor: "test" });
      const response = await harness.app.request("/credentials", {
        method: "POST",
        headers: { authorization: `Bearer ${grant.token}` },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown>, grant };
    };
    return { database, credential };
  };
  afterAll(async () => {
    for (const w of worlds) {
      await w.harness.close();
      await w.database.dispose();
    }
  });

  describe("on a PostgreSQL server", () => {
    let w: Awaited<ReturnType<typeof world>>;
    beforeAll(async () => {
      w = await world({ kind: "postgres", url: "postgres://admin:s3cr%40t@db.internal:5432/tenants" });
    });

    it("hands out the admin login, its endpoint without the password, and the tenant's isolation", async () => {
      const { status, body, grant } = await w.credential("acme");
      expect(status).toBe(200);
      expect(body).toEqual({
        id: expect.stringMatching(/^crd_/),
        provider: "database",
        endpoint: "postgres://admin@db.internal:5432/tenants",
        token: "s3cr@t",
        expiresAt: new Date(grant.claims.exp * 1000).toISOString(),
        narrowed: false,
        detail: { mode: "postgres", isolation: "schema" },
      });
      expect((await w.credential("globex")).body.detail).toEqual({ mode: "postgres", isolation: "database" });
      const recorded = await asPlatform(w.database.db, (tx) =>
        tx
          .select({ body: ledgerEntries.body })
          .from(ledgerEntries)
          .where(eq(ledgerEntries.action, "credential.issued")),
      );
      expect(recorded).toHaveLength(2);
      expect(JSON.stringify(recorded)).not.toContain("s3cr@t");
    });
  });

  describe("embedded", () => {
    it("points at the PGlite directory with no password", async () => {
      const w = await world({ kind: "pglite", dir: "/data/startup-factory/tenant-databases" });
      expect((await w.credential("acme")).body).toMatchObject({
        endpoint: "pglite:/data/startup-factory/tenant-databases",
        token: "",
        narrowed: false,
        detail: { mode: "pglite", isolation: "schema" },
      });
    });

    it("hands out nothing when no tenant-database server is configured", async () => {
      const w = await world();
      expect((await w.credential("acme")).status).toBe(503);
    });
  });
});

describe("the tenant-database configuration", () => {
  it("uses FACTORY_TENANT_DATABASE_URL, else the controller's server, else PGlite beside the data", () => {
    const base = { FACTORY_DATA_DIR: "/data/sf" };
    expect(loadConfig({ ...base, FACTORY_TENANT_DATABASE_URL: "postgres://a@h/t" }).tenantDatabases).toEqual({
      kind: "postgres",
      url: "postgres://a@h/t",
    });
    expect(loadConfig({ ...base, DATABASE_URL: "postgres://c@h/ctl" }).tenantDatabases).toEqual({
      kind: "postgres",
      url: "postgres://c@h/ctl",
    });
    expect(loadConfig(base).tenantDatabases).toEqual({ kind: "pglite", dir: "/data/sf/tenant-databases" });
    expect(() => loadConfig({ ...base, FACTORY_TENANT_DATABASE_URL: "mysql://x" })).toThrow(
      /FACTORY_TENANT_DATABASE_URL/,
    );
  });
});
