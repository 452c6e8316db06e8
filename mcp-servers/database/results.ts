import { z } from "zod";
import { Isolation } from "./names.ts";

/** What provisioning found or made; `created` is empty when everything already existed. */
export const Provisioned = z.object({
  tenant: z.string(),
  isolation: Isolation,
  database: z.string().describe("the database holding the tenant's schema (its own, or the shared one)"),
  schema: z.string(),
  ownerRole: z.string().describe("owns the schema and tables; logs in only while migrations run"),
  appRole: z.string().describe("the application's login: USAGE and DML, under row-level security"),
  created: z.array(z.string()).describe("what this call created; empty when it was all there already"),
});
export type Provisioned = z.infer<typeof Provisioned>;

export const MigrationRun = z.object({
  applied: z.array(z.string()).describe("migration ids applied by this call, in order"),
  skipped: z.array(z.string()).describe("ids already applied with the same content"),
  failed: z
    .object({ id: z.string(), index: z.number().int(), message: z.string() })
    .optional()
    .describe("the migration that failed and was rolled back; later ones were not attempted"),
  secured: z.array(z.string()).describe("tables of the tenant's schema under forced row-level security"),
});
export type MigrationRun = z.infer<typeof MigrationRun>;

export const Rotation = z.object({
  tenant: z.string(),
  role: z.string(),
  ref: z
    .string()
    .describe("the vault reference the new password is stored under; the value is never returned"),
  fingerprint: z.string().describe("the value's keyed fingerprint, as the ledger records it"),
  passwordEnforced: z.boolean().describe("false on embedded PGlite, which serves no logins"),
  note: z.string().optional(),
});
export type Rotation = z.infer<typeof Rotation>;

export const RoleState = z.object({
  name: z.string(),
  purpose: z.enum(["owner", "app"]),
  exists: z.boolean(),
  canLogin: z.boolean(),
  hasPassword: z.boolean().nullable().describe("null when the admin login may not read pg_authid"),
  bypassesRls: z.boolean(),
});
export type RoleState = z.infer<typeof RoleState>;

export const TenantStatus = z.object({
  tenant: z.string(),
  exists: z.boolean(),
  isolation: Isolation.nullable().describe("as provisioned (null when not provisioned)"),
  database: z.string().nullable(),
  schema: z.string(),
  roles: z.array(RoleState),
  migrations: z.array(z.object({ id: z.string(), appliedAt: z.string() })),
  rowLevelSecurity: z.array(z.string()).describe("tables under forced row-level security"),
  unsecured: z.array(z.string()).describe("tables without it (none, unless something bypassed the factory)"),
  passwordsEnforced: z.boolean(),
});
export type TenantStatus = z.infer<typeof TenantStatus>;

export const TenantSize = z.object({
  tenant: z.string(),
  isolation: Isolation,
  bytes: z.number().int(),
  measuredBy: z
    .enum(["pg_database_size", "pg_total_relation_size"])
    .describe("the whole database, or the sum over the schema's tables, indexes and TOAST"),
});
export type TenantSize = z.infer<typeof TenantSize>;
