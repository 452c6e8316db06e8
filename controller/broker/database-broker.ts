import type { GrantClaims } from "../grants/claims.ts";
import { type DatabasesFile, databaseIsolationOf } from "../policy/model.ts";
import type { BrokeredToken, ProviderBroker } from "./broker-types.ts";

/**
 * Where tenant databases live: a PostgreSQL server reached with an admin login (the URL may carry its
 * password), or a directory of embedded PGlite clusters beside the controller's own data.
 */
export type TenantDatabases = { kind: "postgres"; url: string } | { kind: "pglite"; dir: string };

/**
 * The tenant-database server's admin login, handed to the Database MCP server for one grant, with the
 * isolation policy asks for the grant's tenant (policies/databases.yaml) in `detail`: the server learns the
 * policy from the controller, alongside the credential it needs anyway, and holds no configuration.
 *
 * Not narrowed: PostgreSQL cannot mint a login limited to one tenant's objects that may still create that
 * tenant's roles and database, so the server receives the admin login itself and the factory confines its
 * SQL to names derived from the grant's tenant. Nothing is minted, so nothing is revoked.
 */
export class DatabaseBroker implements ProviderBroker {
  readonly provider = "database";
  readonly endpoint: string;
  readonly #password: string;
  readonly #mode: TenantDatabases["kind"];
  readonly #policy: () => DatabasesFile;

  /** `policy` is read at every issue, so a reloaded policy applies to the next credential. */
  constructor(target: TenantDatabases, policy: () => DatabasesFile) {
    this.#mode = target.kind;
    this.#policy = policy;
    if (target.kind === "pglite") {
      this.endpoint = `pglite:${target.dir}`;
      this.#password = "";
    } else {
      const url = new URL(target.url);
      this.#password = decodeURIComponent(url.password);
      url.password = "";
      this.endpoint = url.toString();
    }
  }

  async issue(grant: GrantClaims): Promise<BrokeredToken> {
    return {
      token: this.#password,
      expiresAt: new Date(grant.exp * 1000),
      narrowed: false,
      detail: { mode: this.#mode, isolation: databaseIsolationOf(this.#policy(), grant.tenant) },
    };
  }

  async revoke(): Promise<void> {
    // The admin login is the operator's own and outlives every grant: it is not ours to revoke.
  }
}
