import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

/**
 * Platform tables (tenants, the ledger) hold no tenant's private data and are read by the controller as a
 * whole. Tenant-scoped tables carry `tenant_id` and are guarded by row-level security; see the
 * `0001_security` migration for the roles, policies, grants and triggers.
 */

export const tenants = pgTable(
  "tenants",
  {
    id: text("id").primaryKey(),
    displayName: text("display_name").notNull(),
    status: text("status", { enum: ["active", "suspended"] })
      .notNull()
      .default("active"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [check("tenants_id_format", sql`${t.id} ~ '^[a-z][a-z0-9]{1,30}$'`)],
);

/** What a tenant has consumed of each quota (repos, projects, pipelines, agents). Tenant-scoped. */
export const tenantUsage = pgTable(
  "tenant_usage",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    resource: text("resource").notNull(),
    used: integer("used").notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.resource] }),
    check("tenant_usage_used_nonnegative", sql`${t.used} >= 0`),
  ],
);

/** The tamper-evident ledger: append-only, SHA-256 chained. */
export const ledgerEntries = pgTable("ledger_entries", {
  seq: bigint("seq", { mode: "number" }).primaryKey(),
  ts: timestamp("ts", { withTimezone: true, precision: 3 }).notNull(),
  tenantId: text("tenant_id"),
  actor: text("actor").notNull(),
  action: text("action").notNull(),
  resource: text("resource").notNull(),
  payload: jsonb("payload").notNull(),
  prevHash: text("prev_hash").notNull(),
  hash: text("hash").notNull().unique(),
});

/** The chain's tip; one row, moved only by the ledger's insert trigger. */
export const ledgerHead = pgTable(
  "ledger_head",
  {
    id: smallint("id").primaryKey().default(1),
    seq: bigint("seq", { mode: "number" }).notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [check("ledger_head_single_row", sql`${t.id} = 1`)],
);

/** Signed Merkle checkpoints over the first `tree_size` entries. */
export const ledgerCheckpoints = pgTable("ledger_checkpoints", {
  treeSize: bigint("tree_size", { mode: "number" }).primaryKey(),
  rootHash: text("root_hash").notNull(),
  signedAt: timestamp("signed_at", { withTimezone: true, precision: 3 }).notNull(),
  keyId: text("key_id").notNull(),
  signature: text("signature").notNull(),
});
