import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../../test/support/backends.ts";
import { failure } from "../../test/support/failure.ts";
import {
  type TestTenantDatabases,
  testTenantDatabases,
  uniqueTenant,
} from "../../test/support/tenant-databases.ts";
import { OperationInputError } from "../shared/operation.ts";
import { DatabaseFactoryError } from "./errors.ts";
import { DatabaseFactory } from "./factory.ts";
import { type Isolation, tenantNames } from "./names.ts";
import { scramMatches } from "./scram.ts";
import type { SqlSession, TenantDatabaseTarget } from "./target.ts";

/** The vault as the factory sees it, keeping values in memory so the test can use the rotated password. */
class MemoryVault {
  readonly values = new Map<string, string>();
  #n = 0;
  async store(ref: string, value: string) {
    this.values.set(ref, value);
    return { ref, fingerprint: `hmac-sha256:test:${++this.#n}` };
  }
}

const notes = {
  id: "0001_notes",
  sql: "create table notes (id serial primary key, body text not null);\ncreate index notes_body on notes (body);",
};
const tags = { id: "0002_tags", sql: "create table tags (name text primary key);" };
const seed = { id: "0003_seed", sql: "insert into tags (name) values ('first'), ('second');" };

describe.each(backends)("the database factory on %s", (backend) => {
  describe.each(["schema", "database"] as Isolation[])("with %s isolation", (isolation) => {
    let place: TestTenantDatabases;
    const tenants: string[] = [];
    const factoryFor = (tenant: string, vault = new MemoryVault(), target?: TenantDatabaseTarget) => {
      tenants.push(tenant);
      return new DatabaseFactory({ target: target ?? place.target, tenant, isolation, vault });
    };
    /** Runs `work` as the tenant's application role with `app.tenant_id` declared as `declared`. */
    const asApp = <T>(
      factory: DatabaseFactory,
      password: string,
      declared: string,
      work: (sql: SqlSession) => Promise<T>,
    ) =>
      place.target.transactionAs(
        isolation === "database" ? factory.names.database : place.target.sharedDatabase,
        { role: factory.names.app, password },
        async (sql) => {
          await sql.query("select set_config('app.tenant_id', $1, true)", [declared]);
          return work(sql);
        },
      );
    const verifierOf = async (factory: DatabaseFactory) => {
      const database = isolation === "database" ? factory.names.database : place.target.sharedDatabase;
      const [row] = await place.target.transaction(database, (sql) =>
        sql.query<{ v: string }>("select rolpassword as v from pg_authid where rolname = $1", [
          factory.names.app,
        ]),
      );
      return row?.v ?? "";
    };

    beforeAll(async () => {
      place = await testTenantDatabases(backend);
    });
    afterAll(async () => {
      await place.dispose(tenants);
    });

    it("provisions the tenant's target once; a second call changes nothing", async () => {
      const factory = factoryFor(uniqueTenant());
      const { tenant, database, schema, owner, app } = factory.names;
      const first = await factory.provision();
      const where = isolation === "database" ? database : place.target.sharedDatabase;
      expect(first).toEqual({
        tenant,
        isolation,
        database: where,
        schema,
        ownerRole: owner,
        appRole: app,
        created: [
          ...(isolation === "database" ? [`database ${database}`] : []),
          `role ${owner}`,
          `role ${app}`,
          `schema ${schema}`,
          `table ${schema}.schema_migrations`,
        ],
      });
      expect(await factory.provision()).toEqual({ ...first, created: [] });
      expect(await factory.status()).toEqual({
        tenant,
        exists: true,
        isolation,
        database: where,
        schema,
        roles: [
          {
            name: owner,
            purpose: "owner",
            exists: true,
            canLogin: false,
            hasPassword: false,
            bypassesRls: false,
          },
          { name: app, purpose: "app", exists: true, canLogin: true, hasPassword: false, bypassesRls: false },
        ],
        migrations: [],
        rowLevelSecurity: [],
        unsecured: [],
        passwordsEnforced: backend === "postgres",
      });
    });

    it("reports a tenant never provisioned as absent, and refuses work on it", async () => {
      const factory = factoryFor(uniqueTenant());
      expect(await factory.status()).toMatchObject({ exists: false, isolation: null, roles: [] });
      const error = await failure<DatabaseFactoryError>(factory.runMigrations([notes]));
      expect(error).toBeInstanceOf(DatabaseFactoryError);
      expect(error.message).toBe(
        `run migrations for tenant ${factory.names.tenant}: the tenant's database is not provisioned yet; provision it first`,
      );
      await expect(factory.size()).rejects.toThrow(/not provisioned yet/);
      await expect(factory.rotateCredentials()).rejects.toThrow(/not provisioned yet/);
    });

    it("names the bad field of bad input", async () => {
      const bad = (options: { tenant: string; isolation?: string }) =>
        new DatabaseFactory({
          target: place.target,
          tenant: options.tenant,
          isolation: (options.isolation ?? isolation) as Isolation,
          vault: new MemoryVault(),
        });
      expect(() => bad({ tenant: 'acme"; drop' })).toThrow(OperationInputError);
      expect(() => bad({ tenant: "Acme" })).toThrow(
        "database factory: tenant: must be 2-31 lowercase letters or digits, starting with a letter",
      );
      expect(() => bad({ tenant: "acme", isolation: "cluster" })).toThrow(/^database factory: isolation: /);
      const factory = factoryFor(uniqueTenant());
      await expect(factory.runMigrations([notes, { ...tags, id: notes.id }])).rejects.toThrow(
        "run migrations: migrations[1].id: 0001_notes appears more than once",
      );
      await expect(factory.runMigrations([{ id: "../x", sql: "select 1" }])).rejects.toThrow(
        "run migrations: migrations[0].id: must be 1-100 letters, digits, . _ or -",
      );
      await expect(factory.runMigrations([{ id: "0001", sql: "" }])).rejects.toThrow(
        /^run migrations: migrations\[0\]\.sql: /,
      );
      await expect(factory.runMigrations([])).rejects.toThrow(/^run migrations: migrations: /);
    });

    it("runs migrations in order, once each, under forced row-level security; a failure keeps the earlier ones", async () => {
      const factory = factoryFor(uniqueTenant());
      await factory.provision();
      expect(await factory.runMigrations([notes, tags])).toEqual({
        applied: ["0001_notes", "0002_tags"],
        skipped: [],
        secured: ["notes", "tags"],
      });
      expect(await factory.runMigrations([notes, tags, seed])).toEqual({
        applied: ["0003_seed"],
        skipped: ["0001_notes", "0002_tags"],
        secured: ["notes", "tags"],
      });
      const broken = {
        id: "0005_broken",
        sql: "create table half (id int); insert into nowhere values (1);",
      };
      const later = { id: "0006_later", sql: "create table later (id int);" };
      const ok = { id: "0004_ok", sql: "alter table notes add column author text;" };
      const run = await factory.runMigrations([notes, tags, seed, ok, broken, later]);
      expect(run).toEqual({
        applied: ["0004_ok"],
        skipped: ["0001_notes", "0002_tags", "0003_seed"],
        failed: { id: "0005_broken", index: 4, message: 'relation "nowhere" does not exist' },
        secured: ["notes", "tags"],
      });
      const status = await factory.status();
      expect(status.migrations.map((m) => m.id)).toEqual(["0001_notes", "0002_tags", "0003_seed", "0004_ok"]);
      expect(status.rowLevelSecurity).toEqual(["notes", "tags"]);
      expect(status.unsecured).toEqual([]);
      // The owner logs in only while migrations run.
      expect(status.roles[0]).toMatchObject({ canLogin: false, hasPassword: false });
      const changed = await factory.runMigrations([{ ...notes, sql: `${notes.sql}\n-- edited` }]);
      expect(changed.applied).toEqual([]);
      expect(changed.failed?.id).toBe("0001_notes");
      expect(changed.failed?.message).toMatch(
        /0001_notes was applied with different content \(sha256:[0-9a-f]{64}\); applied migrations are never rewritten, add a new one$/,
      );
    });

    it("runs concurrent calls for one tenant one after the other, each migration once", async () => {
      const factory = factoryFor(uniqueTenant());
      await factory.provision();
      const runs = await Promise.all([
        factory.runMigrations([notes, tags]),
        factory.runMigrations([notes, tags]),
      ]);
      // Either call may take the lock first; the other finds everything applied.
      const byApplied = [...runs].sort((a, b) => b.applied.length - a.applied.length);
      expect(byApplied).toEqual([
        { applied: ["0001_notes", "0002_tags"], skipped: [], secured: ["notes", "tags"] },
        { applied: [], skipped: ["0001_notes", "0002_tags"], secured: ["notes", "tags"] },
      ]);
    });

    it("puts a table back under RLS when a migration turns it off", async () => {
      const factory = factoryFor(uniqueTenant());
      await factory.provision();
      await factory.runMigrations([notes]);
      const run = await factory.runMigrations([
        {
          id: "0002_off",
          sql: "alter table notes no force row level security; drop policy factory_tenant on notes;",
        },
      ]);
      expect(run).toEqual({ applied: ["0002_off"], skipped: [], secured: ["notes"] });
    });

    it("rotates the application role's password into the vault; the old one stops matching", async () => {
      const vault = new MemoryVault();
      const factory = factoryFor(uniqueTenant(), vault);
      await factory.provision();
      const ref = `secret://${factory.names.tenant}/database/app`;
      const first = await factory.rotateCredentials();
      expect(first).toEqual({
        tenant: factory.names.tenant,
        role: factory.names.app,
        ref,
        fingerprint: "hmac-sha256:test:1",
        passwordEnforced: backend === "postgres",
        ...(backend === "pglite" ? { note: expect.stringMatching(/^embedded PGlite serves no logins/) } : {}),
      });
      const old = vault.values.get(ref) as string;
      expect(old).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(JSON.stringify(first)).not.toContain(old);
      const second = await factory.rotateCredentials();
      const current = vault.values.get(ref) as string;
      expect(second.fingerprint).toBe("hmac-sha256:test:2");
      expect(current).not.toBe(old);
      // What the server checks at login (pg_hba here says trust, so a real login would accept anything).
      const verifier = await verifierOf(factory);
      expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:/);
      expect(scramMatches(verifier, current)).toBe(true);
      expect(scramMatches(verifier, old)).toBe(false);
      expect((await factory.status()).roles[1]).toMatchObject({ canLogin: true, hasPassword: true });
    });

    it("keeps the old password when the vault refuses the new one", async () => {
      const vault = new MemoryVault();
      const factory = factoryFor(uniqueTenant(), vault);
      await factory.provision();
      await factory.rotateCredentials();
      const before = await verifierOf(factory);
      const refusing = new DatabaseFactory({
        target: place.target,
        tenant: factory.names.tenant,
        isolation,
        vault: { store: () => Promise.reject(new Error("the vault is sealed")) },
      });
      await expect(refusing.rotateCredentials()).rejects.toThrow(
        `rotate the application role's credentials for tenant ${factory.names.tenant}: rolled back, the old password stays in force: the vault is sealed`,
      );
      expect(await verifierOf(factory)).toBe(before);
    });

    it("lets the application role use only its tenant's rows, and change no structure", async () => {
      const vault = new MemoryVault();
      const a = factoryFor(uniqueTenant("a"), vault);
      const b = factoryFor(uniqueTenant("b"), vault);
      for (const f of [a, b]) {
        await f.provision();
        await f.runMigrations([notes]);
        await f.rotateCredentials();
      }
      const password = (f: DatabaseFactory) =>
        vault.values.get(`secret://${f.names.tenant}/database/app`) as string;
      const inA = `${a.names.schema}.notes`;
      await asApp(a, password(a), a.names.tenant, (sql) =>
        sql.query(`insert into ${inA} (body) values ('hello from a')`),
      );
      expect(
        await asApp(a, password(a), a.names.tenant, (sql) => sql.query(`select body from ${inA}`)),
      ).toEqual([{ body: "hello from a" }]);
      // The same role declaring another tenant (or none) sees nothing and may write nothing.
      expect(
        await asApp(a, password(a), b.names.tenant, (sql) => sql.query(`select body from ${inA}`)),
      ).toEqual([]);
      expect(await asApp(a, password(a), "", (sql) => sql.query(`select body from ${inA}`))).toEqual([]);
      await expect(
        asApp(a, password(a), b.names.tenant, (sql) => sql.query(`insert into ${inA} (body) values ('x')`)),
      ).rejects.toThrow(/row-level security/);
      // No DDL, no bookkeeping.
      await expect(
        asApp(a, password(a), a.names.tenant, (sql) =>
          sql.exec(`create table ${a.names.schema}.mine (id int)`),
        ),
      ).rejects.toThrow(/permission denied for schema/);
      await expect(
        asApp(a, password(a), a.names.tenant, (sql) =>
          sql.query(`select * from ${a.names.schema}.schema_migrations`),
        ),
      ).rejects.toThrow(/permission denied for table schema_migrations/);
      if (isolation === "schema")
        await expect(
          asApp(b, password(b), a.names.tenant, (sql) => sql.query(`select body from ${inA}`)),
        ).rejects.toThrow(/permission denied for schema/);
    });

    it("measures the tenant's size, which grows with its data", async () => {
      const factory = factoryFor(uniqueTenant());
      await factory.provision();
      await factory.runMigrations([notes]);
      const before = await factory.size();
      expect(before).toEqual({
        tenant: factory.names.tenant,
        isolation,
        bytes: expect.any(Number),
        measuredBy: isolation === "database" ? "pg_database_size" : "pg_total_relation_size",
      });
      await factory.runMigrations([
        {
          id: "0002_fill",
          sql: "insert into notes (body) select repeat('x', 200) from generate_series(1, 2000);",
        },
      ]);
      const after = await factory.size();
      expect(after.bytes).toBeGreaterThan(before.bytes + 2000 * 200);
    });

    it("refuses to provision a tenant already provisioned with the other isolation", async () => {
      const factory = factoryFor(uniqueTenant());
      await factory.provision();
      const other: Isolation = isolation === "schema" ? "database" : "schema";
      const moved = new DatabaseFactory({
        target: place.target,
        tenant: factory.names.tenant,
        isolation: other,
        vault: new MemoryVault(),
      });
      await expect(moved.provision()).rejects.toThrow(
        `provision the database for tenant ${factory.names.tenant}: it is already provisioned with ${isolation} isolation and policy now asks for ${other}; moving a tenant between isolations is a data migration this factory does not do`,
      );
    });

    it("leaves nothing behind when provisioning fails half-way", async () => {
      const tenant = uniqueTenant();
      const names = tenantNames(tenant);
      // The real target, failing the transaction that creates the schema after all its statements ran.
      const real = place.target;
      const failing: TenantDatabaseTarget = {
        kind: real.kind,
        endpoint: real.endpoint,
        passwordsEnforced: real.passwordsEnforced,
        sharedDatabase: real.sharedDatabase,
        databaseExists: (name) => real.databaseExists(name),
        createDatabase: (name) => real.createDatabase(name),
        dropDatabase: (name) => real.dropDatabase(name),
        transactionAs: (database, login, work) => real.transactionAs(database, login, work),
        close: () => real.close(),
        transaction: (database, work) =>
          real.transaction(database, async (sql) => {
            let createsSchema = false;
            const result = await work({
              query: (text, params) => sql.query(text, params),
              exec: async (text) => {
                createsSchema ||= /create schema/.test(text);
                await sql.exec(text);
              },
            });
            if (createsSchema) throw new Error("injected failure at commit");
            return result;
          }),
      };
      const factory = factoryFor(tenant, new MemoryVault(), failing);
      await expect(factory.provision()).rejects.toThrow(
        `provision the database for tenant ${tenant}: injected failure at commit`,
      );
      expect(await place.target.databaseExists(names.database)).toBe(false);
      expect(await factoryFor(tenant).status()).toMatchObject({ exists: false });
      const roles = await place.target.transaction(place.target.sharedDatabase, (sql) =>
        sql.query("select rolname from pg_roles where rolname = any($1)", [[names.owner, names.app]]),
      );
      expect(roles).toEqual([]);
    });
  });
});
