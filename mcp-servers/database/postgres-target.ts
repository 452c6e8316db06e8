import postgres from "postgres";
import { ident } from "./names.ts";
import type { SqlSession, TenantDatabaseTarget } from "./target.ts";

const session = (sql: postgres.TransactionSql): SqlSession => ({
  async query<T>(text: string, params: unknown[] = []) {
    return [...(await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[]))] as T[];
  },
  async exec(text: string) {
    await sql.unsafe(text); // no parameters: the simple protocol, so several statements may run
  },
});

/** The admin URL without its password, for display and for the credential's endpoint. */
export function withoutPassword(url: string): string {
  const u = new URL(url);
  u.password = "";
  return u.toString();
}

/**
 * Tenant databases on a PostgreSQL server, reached with an admin login that may create roles and databases.
 * Schema-isolated tenants share the admin URL's own database.
 */
export class PostgresTarget implements TenantDatabaseTarget {
  readonly kind = "postgres";
  readonly passwordsEnforced = true;
  readonly endpoint: string;
  readonly sharedDatabase: string;
  readonly #url: URL;
  readonly #pools = new Map<string, postgres.Sql>();

  /** `adminUrl`: postgres://user[:password]@host:port/database. `password` overrides the URL's. */
  constructor(adminUrl: string, password?: string) {
    this.#url = new URL(adminUrl);
    if (password) this.#url.password = encodeURIComponent(password);
    this.endpoint = withoutPassword(adminUrl);
    this.sharedDatabase = decodeURIComponent(this.#url.pathname.slice(1)) || "postgres";
  }

  #urlFor(database: string, login?: { role: string; password: string }): string {
    const u = new URL(this.#url);
    u.pathname = `/${encodeURIComponent(database)}`;
    if (login) {
      u.username = encodeURIComponent(login.role);
      u.password = encodeURIComponent(login.password);
    }
    return u.toString();
  }

  #pool(database: string): postgres.Sql {
    let pool = this.#pools.get(database);
    if (!pool) {
      pool = postgres(this.#urlFor(database), { max: 4, onnotice: () => {}, idle_timeout: 30 });
      this.#pools.set(database, pool);
    }
    return pool;
  }

  async databaseExists(name: string): Promise<boolean> {
    const rows = await this.#pool(this.sharedDatabase).unsafe(
      "select 1 from pg_database where datname = $1",
      [name],
    );
    return rows.length > 0;
  }

  async createDatabase(name: string): Promise<void> {
    // CREATE DATABASE cannot run inside a transaction: the factory drops it again if what follows fails.
    await this.#pool(this.sharedDatabase).unsafe(`create database ${ident(name)}`);
  }

  async dropDatabase(name: string): Promise<void> {
    await this.#pools.get(name)?.end({ timeout: 5 });
    this.#pools.delete(name);
    await this.#pool(this.sharedDatabase).unsafe(`drop database if exists ${ident(name)} with (force)`);
  }

  async transaction<T>(database: string, work: (sql: SqlSession) => Promise<T>): Promise<T> {
    return (await this.#pool(database).begin((tx) => work(session(tx)))) as T;
  }

  async transactionAs<T>(
    database: string,
    login: { role: string; password: string },
    work: (sql: SqlSession) => Promise<T>,
  ): Promise<T> {
    const sql = postgres(this.#urlFor(database, login), { max: 1, onnotice: () => {} });
    try {
      return (await sql.begin((tx) => work(session(tx)))) as T;
    } finally {
      await sql.end({ timeout: 5 });
    }
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.end({ timeout: 5 })));
  }
}
