/** Statements on one connection, inside the transaction the target opened for them. */
export interface SqlSession {
  /** One statement, with `$1`-style parameters. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Several statements separated by `;`, no parameters (a migration file). */
  exec(text: string): Promise<void>;
}

/**
 * Where tenant databases live: a PostgreSQL server reached with an admin login, or a directory of embedded
 * PGlite clusters. The factory speaks SQL through it; only creating, dropping and reaching a database, and
 * logging in as a role, differ between the two.
 */
export interface TenantDatabaseTarget {
  readonly kind: "postgres" | "pglite";
  /** Where it is, without any password: the admin URL, or `pglite:<dir>`. */
  readonly endpoint: string;
  /**
   * Whether a role's password gates anything. PGlite serves no network logins, so its passwords are stored
   * but never checked; a PostgreSQL server checks them (unless its pg_hba says `trust`).
   */
  readonly passwordsEnforced: boolean;
  /** The database schema-isolated tenants share. */
  readonly sharedDatabase: string;
  databaseExists(name: string): Promise<boolean>;
  /** Creates an empty database owned by the admin; the caller grants the tenant's roles what they need. */
  createDatabase(name: string): Promise<void>;
  /** Drops a database this factory created (provisioning undoing itself after a failure). */
  dropDatabase(name: string): Promise<void>;
  /** One transaction as the admin on `database`; committed when `work` resolves, rolled back when it throws. */
  transaction<T>(database: string, work: (sql: SqlSession) => Promise<T>): Promise<T>;
  /**
   * One transaction as `role` on `database`, the way that role's own login would run it. On a server this
   * is a real login, so the work cannot `RESET ROLE` back to the admin; on PGlite it is `SET LOCAL ROLE`.
   */
  transactionAs<T>(
    database: string,
    login: { role: string; password: string },
    work: (sql: SqlSession) => Promise<T>,
  ): Promise<T>;
  close(): Promise<void>;
}
