import type { z } from "zod";
import { OperationInputError } from "../shared/operation.ts";
import { asFactoryError, DatabaseFactoryError } from "./errors.ts";
import { tenantSize, tenantStatus } from "./inspect.ts";
import { locateTenant, type TenantLocation } from "./locate.ts";
import { Migrations, runMigrations } from "./migrations.ts";
import { Isolation, type TenantNames, TenantSlug, tenantNames } from "./names.ts";
import { provisionTenant } from "./provision.ts";
import type { MigrationRun, Provisioned, Rotation, TenantSize, TenantStatus } from "./results.ts";
import { rotateAppPassword, type SecretSink } from "./rotate.ts";
import type { TenantDatabaseTarget } from "./target.ts";

export interface DatabaseFactoryOptions {
  target: TenantDatabaseTarget;
  /** The one tenant this factory serves (the grant's). */
  tenant: string;
  /** The isolation policy asks for this tenant (policies/databases.yaml, through the broker). */
  isolation: Isolation;
  /** Where rotated credentials are stored. */
  vault: SecretSink;
}

function field<T>(operation: string, name: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = [name, ...(issue?.path ?? [])]
    .map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`))
    .join("");
  throw new OperationInputError(operation, path, issue?.message ?? "invalid");
}

/**
 * The Database governance factory for one tenant: provisions its database (a schema or a database, by
 * policy) with an owner and an application role, runs its migrations under forced row-level security,
 * rotates the application role's password into the vault, and reports size and status. Works the same on
 * a PostgreSQL server and on embedded PGlite (see TenantDatabaseTarget).
 */
export class DatabaseFactory {
  readonly target: TenantDatabaseTarget;
  readonly names: TenantNames;
  readonly isolation: Isolation;
  readonly #vault: SecretSink;

  constructor(options: DatabaseFactoryOptions) {
    this.target = options.target;
    this.names = tenantNames(field("database factory", "tenant", TenantSlug, options.tenant));
    this.isolation = field("database factory", "isolation", Isolation, options.isolation);
    this.#vault = options.vault;
  }

  /** Creates (or converges) the tenant's database target; idempotent. */
  async provision(): Promise<Provisioned> {
    return this.#wrap("provision the database", () =>
      provisionTenant(this.target, this.names, this.isolation),
    );
  }

  /** Applies the migrations not yet recorded, in order; see runMigrations. */
  async runMigrations(migrations: unknown): Promise<MigrationRun> {
    const list = field("run migrations", "migrations", Migrations, migrations);
    return this.#wrap("run migrations", async () =>
      runMigrations(this.target, this.names, await this.#located("run migrations"), list),
    );
  }

  /** New password for the application role, stored in the vault; returns the reference and fingerprint. */
  async rotateCredentials(): Promise<Rotation> {
    const operation = "rotate the application role's credentials";
    return this.#wrap(operation, async () =>
      rotateAppPassword(this.target, this.names, await this.#located(operation), this.#vault),
    );
  }

  async size(): Promise<TenantSize> {
    return this.#wrap("measure the database", async () => {
      const size = await tenantSize(this.target, this.names);
      if (!size) throw this.#notProvisioned("measure the database");
      return size;
    });
  }

  async status(): Promise<TenantStatus> {
    return this.#wrap("read the database's status", () => tenantStatus(this.target, this.names));
  }

  async #located(operation: string): Promise<TenantLocation> {
    const location = await locateTenant(this.target, this.names);
    if (!location) throw this.#notProvisioned(operation);
    return location;
  }

  #notProvisioned(operation: string): DatabaseFactoryError {
    return new DatabaseFactoryError(
      operation,
      this.names.tenant,
      "the tenant's database is not provisioned yet; provision it first",
    );
  }

  async #wrap<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw asFactoryError(operation, this.names.tenant, error);
    }
  }
}
