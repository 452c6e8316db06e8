import { access, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { SqlSession, TenantDatabaseTarget } from "./target.ts";

const session = (tx: Transaction): SqlSession => ({
  async query<T>(text: string, params: unknown[] = []) {
    return (await tx.query<T>(text, params)).rows;
  },
  async exec(text: string) {
    await tx.exec(text);
  },
});

/** The database schema-isolated tenants share: one cluster in `<dir>/shared`. */
const SHARED = "shared";

/**
 * Tenant databases as embedded PGlite clusters under one directory: `<dir>/shared` for schema-isolated
 * tenants, `<dir>/<database>` for each database-isolated one. Each cluster is its own world (roles
 * included), opened on first use and kept open until `close`. Given `memory`, the clusters live in memory
 * instead (the shared one restored from its snapshot) and are gone once closed: an eval world's, made in
 * milliseconds where copying a cluster's directory takes most of a second.
 */
export class PgliteTarget implements TenantDatabaseTarget {
  readonly kind = "pglite";
  readonly passwordsEnforced = false;
  readonly sharedDatabase = SHARED;
  readonly endpoint: string;
  readonly #dir: string;
  readonly #memory: { shared?: Blob } | undefined;
  readonly #open = new Map<string, Promise<PGlite>>();

  constructor(dir: string, options: { memory?: { shared?: Blob } } = {}) {
    this.#dir = dir;
    this.#memory = options.memory;
    this.endpoint = `pglite:${dir}`;
  }

  #path(name: string): string {
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new TypeError(`not a database name: ${name}`);
    return join(this.#dir, name);
  }

  #cluster(name: string): Promise<PGlite> {
    let opening = this.#open.get(name);
    if (!opening) {
      const dataDir = this.#path(name);
      const memory = this.#memory;
      opening = (
        memory
          ? Promise.resolve(
              new PGlite(name === SHARED && memory.shared ? { loadDataDir: memory.shared } : {}),
            )
          : mkdir(dataDir, { recursive: true }).then(() => new PGlite({ dataDir }))
      ).then(async (pg) => {
        await pg.waitReady;
        return pg;
      });
      this.#open.set(name, opening);
      opening.catch(() => this.#open.delete(name));
    }
    return opening;
  }

  async databaseExists(name: string): Promise<boolean> {
    if (name === SHARED) return true;
    if (this.#memory) return this.#open.has(name);
    return access(join(this.#path(name), "PG_VERSION")).then(
      () => true,
      () => false,
    );
  }

  async createDatabase(name: string): Promise<void> {
    await this.#cluster(name);
  }

  async dropDatabase(name: string): Promise<void> {
    const opening = this.#open.get(name);
    this.#open.delete(name);
    await (await opening?.catch(() => undefined))?.close();
    await rm(this.#path(name), { recursive: true, force: true });
  }

  async transaction<T>(database: string, work: (sql: SqlSession) => Promise<T>): Promise<T> {
    const pg = await this.#cluster(database);
    return pg.transaction((tx) => work(session(tx)));
  }

  /** PGlite has no logins: the role is taken with `SET LOCAL ROLE` and the password is not checked. */
  async transactionAs<T>(
    database: string,
    login: { role: string; password: string },
    work: (sql: SqlSession) => Promise<T>,
  ): Promise<T> {
    const pg = await this.#cluster(database);
    return pg.transaction(async (tx) => {
      await tx.query("select set_config('role', $1, true)", [login.role]);
      return work(session(tx));
    });
  }

  async close(): Promise<void> {
    const all = [...this.#open.values()];
    this.#open.clear();
    for (const opening of all) await (await opening.catch(() => undefined))?.close();
  }
}
