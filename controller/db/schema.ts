import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
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

/** Agents and their lineage. Tenant-scoped. */
export const agents = pgTable(
  "agents",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    persona: text("persona").notNull(),
    parentId: text("parent_id"),
    depth: integer("depth").notNull(),
    /** The parent's grant that was exchanged to create this agent; null for a root agent. */
    createdByGrant: text("created_by_grant"),
    /** Who started the root of this agent's tree (e.g. `operator:alice`); inherited by every descendant. */
    startedBy: text("started_by"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [index("agents_tenant_parent").on(t.tenantId, t.parentId)],
);

/** Every grant minted: who holds it, for which server, with which scope, until when. Tenant-scoped. */
export const grants = pgTable(
  "grants",
  {
    jti: text("jti").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    agentId: text("agent_id")
      .notNull()
      .references(() => agents.id),
    audience: text("audience").notNull(),
    role: text("role").notNull(),
    scope: jsonb("scope").notNull(),
    parentJti: text("parent_jti"),
    issuedAt: timestamp("issued_at", { withTimezone: true, precision: 3 }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [index("grants_tenant_agent").on(t.tenantId, t.agentId)],
);

/**
 * Revoked grant ids. A platform table: every process that verifies grants keeps the whole list in memory,
 * whatever the tenant. Rows may be pruned once `expires_at` has passed.
 */
export const grantRevocations = pgTable("grant_revocations", {
  jti: text("jti").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
  revokedAt: timestamp("revoked_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

/** Tenants whose every grant issued up to `revoked_at` is dead: the kill switch, O(1) to check and to spread. */
export const tenantRevocations = pgTable("tenant_revocations", {
  tenantId: text("tenant_id").primaryKey(),
  revokedAt: timestamp("revoked_at", { withTimezone: true, precision: 3 }).notNull(),
});

/** People who operate the controller (approve, mint, kill). Only a SHA-256 of each API key is kept. */
export const operators = pgTable("operators", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  roles: jsonb("roles").$type<string[]>().notNull(),
  keyHash: text("key_hash").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  revokedAt: timestamp("revoked_at", { withTimezone: true, precision: 3 }),
});

/**
 * Write intents: recorded, and decided, before a mutating tool runs; completed with its outcome after.
 * Tenant-scoped. One row per idempotency key within a tenant, so a replay can never run twice.
 */
export const intents = pgTable(
  "intents",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    idempotencyKey: text("idempotency_key").notNull(),
    /** SHA-256 of the canonical request, to tell a replay from a reused key. */
    requestHash: text("request_hash").notNull(),
    grantJti: text("grant_jti").notNull(),
    agentId: text("agent_id").notNull(),
    server: text("server").notNull(),
    tool: text("tool").notNull(),
    resource: text("resource").notNull(),
    arguments: jsonb("arguments").notNull(),
    plan: jsonb("plan"),
    decision: text("decision", { enum: ["allow", "deny", "needs-approval"] }).notNull(),
    policies: jsonb("policies").$type<string[]>().notNull(),
    reasons: jsonb("reasons").$type<string[]>().notNull(),
    deadline: timestamp("deadline", { withTimezone: true, precision: 3 }).notNull(),
    outcome: text("outcome", { enum: ["succeeded", "failed"] }),
    outcomeDetail: jsonb("outcome_detail"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [uniqueIndex("intents_tenant_idempotency").on(t.tenantId, t.idempotencyKey)],
);

/**
 * Approvals a needs-approval intent waits for. Tenant-scoped; one per intent. `requester` is the asking
 * agent's lineage up to the person who started it, none of whom may approve.
 */
export const approvals = pgTable(
  "approvals",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    intentId: text("intent_id")
      .notNull()
      .unique()
      .references(() => intents.id),
    status: text("status", { enum: ["pending", "approved", "denied", "expired"] })
      .notNull()
      .default("pending"),
    rules: jsonb("rules").$type<string[]>().notNull(),
    /** Operator roles any one of which makes a person an eligible approver. */
    approverRoles: jsonb("approver_roles").$type<string[]>().notNull(),
    quorum: integer("quorum").notNull(),
    requester: jsonb("requester").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    index("approvals_tenant_status").on(t.tenantId, t.status),
    check("approvals_quorum_positive", sql`${t.quorum} >= 1`),
  ],
);

/** One vote per operator per approval: distinct approvers are a primary key, not a convention. */
export const approvalVotes = pgTable(
  "approval_votes",
  {
    approvalId: text("approval_id")
      .notNull()
      .references(() => approvals.id),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    operatorId: text("operator_id").notNull(),
    operatorName: text("operator_name").notNull(),
    vote: text("vote", { enum: ["approve", "deny"] }).notNull(),
    comment: text("comment"),
    votedAt: timestamp("voted_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.approvalId, t.operatorId] })],
);

/**
 * Provider credentials the broker handed out, one per grant and provider. Only a SHA-256 fingerprint of the
 * token is kept; the token itself lives in the issuing process's memory until it is revoked or expires.
 */
export const providerCredentials = pgTable(
  "provider_credentials",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    grantJti: text("grant_jti").notNull(),
    provider: text("provider").notNull(),
    fingerprint: text("fingerprint").notNull(),
    narrowed: boolean("narrowed").notNull(),
    detail: jsonb("detail").notNull(),
    issuedAt: timestamp("issued_at", { withTimezone: true, precision: 3 }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [index("provider_credentials_tenant_grant").on(t.tenantId, t.grantJti)],
);

/**
 * Model calls as agents recorded them: tokens and cost, per agent and persona, checked against the budgets
 * in `models.yaml`. Tenant-scoped and append-only for the application.
 */
export const modelUsage = pgTable(
  "model_usage",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    agentId: text("agent_id").notNull(),
    persona: text("persona").notNull(),
    model: text("model").notNull(),
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    costMicroUsd: bigint("cost_micro_usd", { mode: "number" }).notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index("model_usage_tenant_recorded").on(t.tenantId, t.recordedAt),
    check(
      "model_usage_nonnegative",
      sql`${t.inputTokens} >= 0 and ${t.outputTokens} >= 0 and ${t.costMicroUsd} >= 0`,
    ),
  ],
);

/**
 * The controller's small secret vault: values stored by reference (`secret://<tenant>/…`), encrypted with
 * AES-256-GCM under a key kept outside the database (keysDir), with a keyed fingerprint for the ledger.
 */
export const tenantSecrets = pgTable(
  "tenant_secrets",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    ref: text("ref").notNull(),
    /** `v1:<key id>:<iv>:<tag>:<ciphertext>`, base64url; the tenant and ref are its associated data. */
    ciphertext: text("ciphertext").notNull(),
    fingerprint: text("fingerprint").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.ref] })],
);
