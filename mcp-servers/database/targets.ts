import { PgliteTarget } from "./pglite-target.ts";
import { PostgresTarget } from "./postgres-target.ts";
import type { TenantDatabaseTarget } from "./target.ts";

/**
 * The targets one server process talks to, one per brokered endpoint and login, kept open between calls:
 * a PostgreSQL target keeps its connection pools, and a PGlite cluster directory must be opened by one
 * PGlite at a time, never once per call.
 */
export class DatabaseTargets {
  readonly #open = new Map<string, TenantDatabaseTarget>();

  /** `open` makes the target for an endpoint and login; by default from the endpoint's kind, on disk. */
  constructor(
    readonly open: (endpoint: string, password: string) => TenantDatabaseTarget = (endpoint, password) =>
      endpoint.startsWith("pglite:")
        ? new PgliteTarget(endpoint.slice("pglite:".length))
        : new PostgresTarget(endpoint, password || undefined),
  ) {}

  /** The target at `endpoint` (`postgres://…` or `pglite:<dir>`), logging in with `password`. */
  for(endpoint: string, password: string): TenantDatabaseTarget {
    const key = `${endpoint}\n${password}`;
    let target = this.#open.get(key);
    if (!target) {
      target = this.open(endpoint, password);
      this.#open.set(key, target);
    }
    return target;
  }

  async close(): Promise<void> {
    const all = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(all.map((t) => t.close()));
  }
}
