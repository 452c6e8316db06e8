import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { AgentClient } from "../../controller/client/agent-client.ts";
import { globMatches } from "../../controller/client/glob.ts";
import { ledgerEntries, tenants } from "../../controller/db/schema.ts";
import { asPlatform } from "../../controller/db/scope.ts";
import { type TestApp, testApp } from "../../test/support/app.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { failure } from "../../test/support/failure.ts";
import {
  type TestTenantDatabases,
  testTenantDatabases,
  uniqueTenant,
} from "../../test/support/tenant-databases.ts";
import type { Caller, ToolDefinition } from "../shared/tool.ts";
import { databaseServer } from "./server.ts";
import { DatabaseTargets } from "./targets.ts";
import type { DatabaseContext } from "./tools.ts";

const server = databaseServer();

describe("the Database server's tools", () => {
  it("are named as the role templates name them, for the personas the templates give them to", async () => {
    const roles = parseYaml(
      await readFile(join(import.meta.dirname, "../../policies/roles/database.yaml"), "utf8"),
    ) as { roles: Record<string, { scopes: { tools: string[]; resources: string[] }[] }> };
    const allowed = (persona: string) =>
      server.tools
        .map((t) => t.name)
        .filter((name) =>
          roles.roles[persona]?.scopes.some((s) => s.tools.some((p) => globMatches(p, name))),
        );
    expect(allowed("founder")).toEqual([
      "database_provision_database",
      "database_get_size",
      "database_get_status",
    ]);
    expect(allowed("dev")).toEqual(["database_run_migrations", "database_get_size", "database_get_status"]);
    expect(allowed("ops")).toEqual(server.tools.map((t) => t.name));
    expect(allowed("sec")).toEqual([
      "database_rotate_credentials",
      "database_get_size",
      "database_get_status",
    ]);
    expect(allowed("finance")).toEqual(["database_get_size"]);
    for (const t of server.tools)
      expect(t.resource({}, { tenant: "acme" } as never)).toEqual({ kind: "database", name: "acme" });
  });
});

describe.each(backends)("the Database server against the controller on %s", (backend) => {
  let database: TestDatabase;
  let place: TestTenantDatabases;
  let harness: TestApp;
  let client: AgentClient;
  const targets = new DatabaseTargets();
  const served = databaseServer(targets);
  const acme = uniqueTenant("a");
  const globex = uniqueTenant("g");

  const caller = async (tenant: string, persona = "ops"): Promise<Caller> => {
    const { token } = await harness.grants.issuer.mint({
      tenant,
      persona,
      audience: "database",
      actor: "test",
    });
    return { token, grant: await client.introspect(token), controller: client };
  };
  const call = async (who: Caller, name: string, args: Record<string, unknown>) => {
    const t = served.tools.find((x) => x.name === name) as ToolDefinition<DatabaseContext>;
    return t.output.parse(await t.run(await served.connect(who), t.input.parse(args)));
  };

  beforeAll(async () => {
    database = await freshDatabase(backend);
    place = await testTenantDatabases(backend);
    harness = await testApp(database, {
      tenantDatabases:
        backend === "pglite" ? { kind: "pglite", dir: place.where } : { kind: "postgres", url: place.where },
      policyEdits: {
        "databases.yaml": (t) => t.replace("tenants: {}", `tenants:\n  ${globex}:\n    isolation: database`),
      },
    });
    client = new AgentClient({ url: "http://controller", fetch: (request) => harness.app.fetch(request) });
    await asPlatform(database.db, (tx) =>
      tx.insert(tenants).values([
        { id: acme, displayName: "Acme" },
        { id: globex, displayName: "Globex" },
      ]),
    );
  });
  afterAll(async () => {
    await targets.close();
    await harness.close();
    await place.dispose([acme, globex]);
    await database.dispose();
  });

  it("provisions, migrates, rotates into the vault and reports, for the grant's tenant", async () => {
    const ops = await caller(acme);
    expect(await call(ops, "database_provision_database", {})).toMatchObject({
      tenant: acme,
      isolation: "schema",
      created: [
        `role t_${acme}_owner`,
        `role t_${acme}_app`,
        `schema t_${acme}`,
        `table t_${acme}.schema_migrations`,
      ],
    });
    expect(
      await call(ops, "database_run_migrations", {
        migrations: [{ id: "0001_notes", sql: "create table notes (id serial primary key, body text);" }],
      }),
    ).toEqual({ applied: ["0001_notes"], skipped: [], secured: ["notes"] });

    const rotated = await call(ops, "database_rotate_credentials", {});
    const ref = `secret://${acme}/database/app`;
    expect(rotated).toMatchObject({
      tenant: acme,
      role: `t_${acme}_app`,
      ref,
      passwordEnforced: backend === "postgres",
    });
    const value = await client.resolveSecret(ops.token, ref);
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(rotated)).not.toContain(value);
    const entries = await asPlatform(database.db, (tx) =>
      tx
        .select({ action: ledgerEntries.action, payload: ledgerEntries.payload, body: ledgerEntries.body })
        .from(ledgerEntries),
    );
    expect(entries.find((e) => e.action === "secret.stored")?.payload).toEqual({
      ref,
      fingerprint: { $hmac: rotated.fingerprint },
    });
    expect(JSON.stringify(entries)).not.toContain(value);

    const status = await call(await caller(acme, "sec"), "database_get_status", {});
    expect(status).toMatchObject({
      exists: true,
      isolation: "schema",
      rowLevelSecurity: ["notes"],
      unsecured: [],
    });
    const size = await call(await caller(acme, "finance"), "database_get_size", {});
    expect(size).toMatchObject({ tenant: acme, isolation: "schema", measuredBy: "pg_total_relation_size" });
  });

  it("isolates a tenant the way policy says, learnt through the broker", async () => {
    const provisioned = await call(await caller(globex), "database_provision_database", {});
    expect(provisioned).toMatchObject({ tenant: globex, isolation: "database", database: `t_${globex}` });
  });

  it("reaches only the grant's own tenant, and names a bad field", async () => {
    const ops = await caller(acme);
    const status = await call(ops, "database_get_status", { tenant: globex });
    expect(status).toMatchObject({});
    const error = await failure<z.ZodError>(
      call(ops, "database_run_migrations", { migrations: [{ id: "x" }] }),
    );
    expect(error.issues.map((i) => i.path.join("."))).toEqual(["migrations.0.sql"]);
  });
});
