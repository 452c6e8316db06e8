import { type SQL, sql } from "drizzle-orm";
import { type Database, queryRows, type Tx } from "../controller/db/database.ts";

/**
 * A sandbox's state in the database, as JSON documents by (kind, key) in a schema of its own, so the
 * emulated provider survives restarts and can be shared by several processes on PostgreSQL. Every
 * request runs in one transaction; keys are lowercase where the provider's names are case-insensitive.
 */
export class SandboxStore {
  readonly #database: Database;
  readonly #schema: string;

  private constructor(database: Database, schema: string) {
    this.#database = database;
    this.#schema = schema;
  }

  /** Opens (creating if needed) the sandbox's schema, e.g. `github_sandbox`. */
  static async open(database: Database, schema: string): Promise<SandboxStore> {
    if (!/^[a-z_]+$/.test(schema)) throw new TypeError(`invalid sandbox schema name ${schema}`);
    await database.db.transaction(async (tx) => {
      // Two processes starting at once must not race on CREATE SCHEMA.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${schema}))`);
      await tx.execute(sql.raw(`create schema if not exists ${schema}`));
      await tx.execute(
        sql.raw(`create table if not exists ${schema}.objects (
          kind text not null, key text collate "C" not null, data jsonb not null,
          created bigint generated always as identity, primary key (kind, key))`),
      );
      await tx.execute(sql.raw(`create sequence if not exists ${schema}.ids start 1000`));
    });
    return new SandboxStore(database, schema);
  }

  /** Runs `work` in one transaction over the sandbox's objects. */
  transaction<T>(work: (objects: Objects) => Promise<T>): Promise<T> {
    return this.#database.db.transaction((tx) => work(new Objects(tx, this.#schema)));
  }
}

/** The smallest key above every key that starts with `prefix` (U+10FFFF sorts after any character). */
const upperBound = (prefix: string) => `${prefix}${String.fromCodePoint(0x10ffff)}`;

/** The sandbox's documents inside one transaction. */
export class Objects {
  readonly #tx: Tx;
  readonly #table: SQL;
  readonly #ids: string;

  constructor(tx: Tx, schema: string) {
    this.#tx = tx;
    this.#table = sql.raw(`${schema}.objects`);
    this.#ids = `${schema}.ids`;
  }

  async get<T>(kind: string, key: string, options: { forUpdate?: boolean } = {}): Promise<T | undefined> {
    const lock = options.forUpdate ? sql` for update` : sql``;
    const [row] = await queryRows<{ data: T }>(
      this.#tx,
      sql`select data from ${this.#table} where kind = ${kind} and key = ${key}${lock}`,
    );
    return row?.data;
  }

  /**
   * Every document of `kind` whose key starts with `prefix`, oldest first. A range on the primary key (keys
   * compare bytewise, collation C), so a listing costs what it returns, not the size of the sandbox.
   */
  async list<T>(kind: string, prefix = ""): Promise<T[]> {
    const rows = await queryRows<{ data: T }>(
      this.#tx,
      sql`select data from ${this.#table}
          where kind = ${kind} and key >= ${prefix} and key < ${upperBound(prefix)} order by created`,
    );
    return rows.map((r) => r.data);
  }

  async put<T>(kind: string, key: string, data: T): Promise<T> {
    await this.#tx.execute(
      sql`insert into ${this.#table} (kind, key, data) values (${kind}, ${key}, ${JSON.stringify(data)}::jsonb)
          on conflict (kind, key) do update set data = excluded.data`,
    );
    return data;
  }

  /** Inserts unless the key exists; false when it did. */
  async create<T>(kind: string, key: string, data: T): Promise<boolean> {
    const rows = await queryRows<{ key: string }>(
      this.#tx,
      sql`insert into ${this.#table} (kind, key, data) values (${kind}, ${key}, ${JSON.stringify(data)}::jsonb)
          on conflict (kind, key) do nothing returning key`,
    );
    return rows.length > 0;
  }

  async delete(kind: string, key: string): Promise<boolean> {
    const rows = await queryRows<{ key: string }>(
      this.#tx,
      sql`delete from ${this.#table} where kind = ${kind} and key = ${key} returning key`,
    );
    return rows.length > 0;
  }

  /** Deletes every document of `kind` under `prefix`; returns how many. */
  async deleteUnder(kind: string, prefix: string): Promise<number> {
    const rows = await queryRows<{ key: string }>(
      this.#tx,
      sql`delete from ${this.#table}
          where kind = ${kind} and key >= ${prefix} and key < ${upperBound(prefix)} returning key`,
    );
    return rows.length;
  }

  /** A fresh numeric id, unique across the sandbox. */
  async nextId(): Promise<number> {
    const [row] = await queryRows<{ id: string }>(this.#tx, sql`select nextval(${this.#ids}) as id`);
    return Number(row?.id);
  }
}
