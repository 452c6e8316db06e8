import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
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

/**
 * The tamper-evident ledger: append-only, SHA-256 chained. `body` is the entry's RFC 8785 canonical JSON,
 * exactly the bytes `hash` covers; every other column is generated from it by the database, so no column
 * can disagree with what was hashed.
 */
const field = (name: string) => sql.raw(`(body::jsonb ->> '${name}')`);
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey(),
    body: text("body").notNull(),
    hash: text("hash").notNull().unique(),
    ts: text("ts").generatedAlwaysAs(field("ts")),
    tenantId: text("tenant_id").generatedAlwaysAs(field("tenant")),
    actor: text("actor").generatedAlwaysAs(field("actor")),
    action: text("action").generatedAlwaysAs(field("action")),
    resource: text("resource").generatedAlwaysAs(field("resource")),
    payload: jsonb("payload").generatedAlwaysAs(sql`(body::jsonb -> 'payload')`),
    prevHash: text("prev_hash").generatedAlwaysAs(field("prevHash")),
  },
  (t) => [index("ledger_entries_tenant_seq").on(t.tenantId, t.seq)],
);

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
  headHash: text("head_hash").notNull(),
  signedAt: timestamp("signed_at", { withTimezone: true, precision: 3 }).notNull(),
  keyId: text("key_id").notNull(),
  signature: text("signature").notNull(),
});
