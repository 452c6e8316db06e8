import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { failure } from "../../test/support/pg-error.ts";
import { queryRows } from "./database.ts";
import { tenants, tenantUsage } from "./schema.ts";
import { asPlatform, withTenant } from "./scope.ts";

describe.each(backends)("row-level security on %s", (backend) => {
  let database: TestDatabase;
  const usage = (tenantId: string) => ({ tenantId, resource: "repos", used: 3 });

  beforeAll(async () => {
    database = await freshDatabase(backend);
    const { db } = database;
    await asPlatform(db, (tx) =>
      tx.insert(tenants).values([
        { id: "acme", displayName: "Acme" },
        { id: "globex", displayName: "Globex" },
      ]),
    );
    await withTenant(db, "acme", (tx) => tx.insert(tenantUsage).values(usage("acme")));
    await withTenant(db, "globex", (tx) => tx.insert(tenantUsage).values({ ...usage("globex"), used: 7 }));
  });
  afterAll(() => database.dispose());

  const globexRow = () =>
    withTenant(database.db, "globex", (tx) => tx.select({ used: tenantUsage.used }).from(tenantUsage));

  it("shows a tenant only its own rows", async () => {
    const rows = await withTenant(database.db, "acme", (tx) => tx.select().from(tenantUsage));
    expect(rows.map((r) => [r.tenantId, r.used])).toEqual([["acme", 3]]);
    const filtered = await withTenant(database.db, "acme", (tx) =>
      tx.select().from(tenantUsage).where(eq(tenantUsage.tenantId, "globex")),
    );
    expect(filtered).toEqual([]);
  });

  it("does not let a tenant update another tenant's rows", async () => {
    const updated = await withTenant(database.db, "acme", (tx) =>
      tx.update(tenantUsage).set({ used: 999 }).where(eq(tenantUsage.tenantId, "globex")).returning(),
    );
    expect(updated).toEqual([]);
    expect(await globexRow()).toEqual([{ used: 7 }]);
  });

  it("does not let a tenant move its own row into another tenant", async () => {
    const error = await failure(() =>
      withTenant(database.db, "acme", (tx) =>
        tx.update(tenantUsage).set({ tenantId: "globex" }).where(eq(tenantUsage.tenantId, "acme")),
      ),
    );
    expect(error.message).toMatch(/row-level security/);
  });

  it("does not let a tenant delete another tenant's rows", async () => {
    const deleted = await withTenant(database.db, "acme", (tx) =>
      tx.delete(tenantUsage).where(eq(tenantUsage.tenantId, "globex")).returning(),
    );
    expect(deleted).toEqual([]);
    expect(await globexRow()).toEqual([{ used: 7 }]);
  });

  it("refuses an insert of another tenant's row and keeps what was stored", async () => {
    const error = await failure(() =>
      withTenant(database.db, "acme", (tx) =>
        tx.insert(tenantUsage).values({ tenantId: "globex", resource: "pipelines", used: 1 }),
      ),
    );
    expect(error.code).toBe("42501");
    expect(error.message).toMatch(/row-level security/);
    const globex = await withTenant(database.db, "globex", (tx) =>
      tx
        .select()
        .from(tenantUsage)
        .where(and(eq(tenantUsage.tenantId, "globex"), eq(tenantUsage.resource, "pipelines"))),
    );
    expect(globex).toEqual([]);
  });

  it("shows no rows and accepts no writes when no tenant is set", async () => {
    expect(await asPlatform(database.db, (tx) => tx.select().from(tenantUsage))).toEqual([]);
    const error = await failure(() =>
      asPlatform(database.db, (tx) => tx.insert(tenantUsage).values(usage("acme"))),
    );
    expect(error.message).toMatch(/row-level security/);
  });

  it("leaves no tenant behind once the unit of work ends", async () => {
    await withTenant(database.db, "acme", async () => undefined);
    const [row] = await database.db.transaction((tx) =>
      queryRows<{ tenant: string; role: string }>(
        tx,
        sql`select coalesce(current_setting('app.tenant_id', true), '') as tenant, current_user as role`,
      ),
    );
    expect(row?.tenant).toBe("");
    expect(row?.role).not.toBe("factory_app");
  });

  it("does not let the application role switch row security off", async () => {
    const error = await failure(() =>
      withTenant(database.db, "acme", async (tx) => {
        await tx.execute(sql`set local row_security = off`);
        return tx.select().from(tenantUsage);
      }),
    );
    expect(error.message).toMatch(/row-level security/);
  });

  it("rejects a malformed tenant id before touching the database", async () => {
    expect(() => withTenant(database.db, "Acme-Labs", async () => 1)).toThrow(/tenantId "Acme-Labs" must be/);
    expect(() => withTenant(database.db, "", async () => 1)).toThrow(/tenantId/);
  });
});
