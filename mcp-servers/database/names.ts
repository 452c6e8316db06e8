import { z } from "zod";

/**
 * A tenant id as the controller mints them (2-31 lowercase letters or digits, starting with a letter), checked
 * again here because it becomes part of SQL identifiers: nothing else ever reaches one.
 */
export const TenantSlug = z
  .string()
  .regex(/^[a-z][a-z0-9]{1,30}$/, "must be 2-31 lowercase letters or digits, starting with a letter")
  .describe("the tenant id, e.g. acme");

/** How a tenant's data is kept apart from other tenants' on the tenant-database server. */
export const Isolation = z
  .enum(["schema", "database"])
  .describe("schema: a schema per tenant in one shared database; database: a database per tenant");
export type Isolation = z.infer<typeof Isolation>;

/** The names one tenant's objects get: all derived from the validated tenant id, never from free text. */
export interface TenantNames {
  tenant: string;
  /** The tenant's database (database isolation) and, in both modes, its schema. */
  database: string;
  schema: string;
  /** Owns the schema and the tables; never logs in to serve traffic. */
  owner: string;
  /** The application's login: USAGE and DML only, subject to row-level security. */
  app: string;
}

/** Derives (and so validates) every identifier of a tenant's database objects. */
export function tenantNames(tenant: string): TenantNames {
  const id = TenantSlug.parse(tenant);
  const base = `t_${id}`;
  return { tenant: id, database: base, schema: base, owner: `${base}_owner`, app: `${base}_app` };
}

/** A SQL identifier, double-quoted (every name here is already a validated slug; quoting is belt and braces). */
export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A SQL string literal (standard_conforming_strings, the default since 9.1): single quotes doubled; NUL refused. */
export function literal(value: string): string {
  if (value.includes("\0")) throw new TypeError("a SQL literal cannot hold NUL");
  return `'${value.replaceAll("'", "''")}'`;
}

/** Where a tenant's secret for its application role lives in the controller's vault. */
export const appSecretRef = (tenant: string): string => `secret://${tenant}/database/app`;
