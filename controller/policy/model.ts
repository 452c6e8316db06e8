import { z } from "zod";
import { SERVER_NAMES } from "../client/servers.ts";
import { Identifier, TenantId } from "../ids.ts";

/** The MCP servers policies can scope; each fronts one governance factory. */
export const ServerName = z.enum(SERVER_NAMES);
export type ServerName = z.infer<typeof ServerName>;

/** Controller actions beyond tool calls that policies decide on. */
export const ActionName = z.enum(["call_tool", "spawn_agent", "widen_policy", "break_glass"]);
export type ActionName = z.infer<typeof ActionName>;

export const PERSONAS = ["founder", "dev", "ops", "sec", "finance"] as const;

/** `<area>_<verb>_<noun>` tool names, with `*` as a wildcard. */
const ToolPattern = z
  .string()
  .regex(/^[a-z0-9_*]+$/, "must be a tool name or pattern: lowercase, digits, _ and *");
/** Resource names with `*` wildcards and the {tenant} placeholder. */
const ResourcePattern = z
  .string()
  .regex(/^([A-Za-z0-9._/*-]|\{tenant\})+$/, "may use letters, digits, . _ / - and * plus {tenant}");
const Approvers = z.array(Identifier).min(1, "needs at least one approver role");

const ApprovalRequirement = z
  .object({
    approvers: Approvers,
    quorum: z.number().int().min(1),
  })
  .strict();

export const Scope = z
  .object({
    tools: z.array(ToolPattern).min(1),
    resources: z.array(ResourcePattern).min(1),
  })
  .strict();
export type Scope = z.infer<typeof Scope>;

export const RoleTemplate = z
  .object({
    description: z.string().min(1),
    ttl_minutes: z.number().int().positive(),
    scopes: z.array(Scope).min(1),
    /** Writes under this role wait for approval; `tools` narrows which writes (default: all). */
    approval: ApprovalRequirement.extend({ tools: z.array(ToolPattern).min(1).optional() })
      .strict()
      .optional(),
    /** Personas an agent holding this role may spawn. */
    may_spawn: z.array(Identifier).default([]),
    /** Controller actions the role may ask for (each still subject to approval rules). */
    may_request: z.array(z.enum(["widen_policy", "break_glass"])).default([]),
    limits: z.object({ max_calls_per_minute: z.number().int().positive().optional() }).strict().optional(),
  })
  .strict();
export type RoleTemplate = z.infer<typeof RoleTemplate>;

export const RolesFile = z
  .object({
    server: ServerName,
    roles: z.record(Identifier, RoleTemplate),
  })
  .strict();
export type RolesFile = z.infer<typeof RolesFile>;

export const LimitsFile = z
  .object({
    grants: z.object({ max_ttl_minutes: z.number().int().positive() }).strict(),
    agents: z
      .object({ max_children_per_agent: z.number().int().min(0), max_depth: z.number().int().min(0) })
      .strict(),
    /** A pending approval nobody settles within this many minutes expires, and its call is denied. */
    approvals: z
      .object({ expire_after_minutes: z.number().int().positive() })
      .strict()
      .default({ expire_after_minutes: 1440 }),
  })
  .strict();
export type LimitsFile = z.infer<typeof LimitsFile>;

/** Tool calls on one server, or controller actions. */
const Trigger = z.union([
  z.object({ server: ServerName, tools: z.array(ToolPattern).min(1) }).strict(),
  z.object({ actions: z.array(ActionName.exclude(["call_tool"])).min(1) }).strict(),
]);
export type Trigger = z.infer<typeof Trigger>;

export const QuotasFile = z
  .object({
    defaults: z.record(Identifier, z.number().int().min(0)),
    tenants: z.record(TenantId, z.record(Identifier, z.number().int().min(0))).default({}),
    consumers: z.record(Identifier, z.array(Trigger).min(1)),
  })
  .strict();
export type QuotasFile = z.infer<typeof QuotasFile>;

export const ApprovalsFile = z
  .object({
    rules: z.array(
      z.intersection(
        z.object({
          id: Identifier,
          description: z.string().min(1),
          approvers: Approvers,
          quorum: z.number().int().min(1),
        }),
        Trigger,
      ),
    ),
  })
  .strict();
export type ApprovalsFile = z.infer<typeof ApprovalsFile>;

export const NamingFile = z
  .object({
    rules: z.array(
      z
        .object({
          id: Identifier,
          description: z.string().min(1),
          server: ServerName,
          tools: z.array(ToolPattern).min(1),
          pattern: z
            .string()
            .regex(
              /^([a-z0-9._/-]|\{tenant\}|\{name\})+$/,
              "may use lowercase letters, digits, . _ / - plus {tenant} and {name}",
            ),
        })
        .strict(),
    ),
  })
  .strict();
export type NamingFile = z.infer<typeof NamingFile>;

/** A model id as providers name them (`gpt-4.1-mini`), or `replay` for recorded turns. */
export const ModelId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._:-]{0,99}$/, "must be a model id: lowercase letters, digits, . _ : or -");

const Budget = z
  .object({
    tokens: z.number().int().min(0).optional(),
    cost_usd: z.number().min(0).optional(),
  })
  .strict()
  .refine((b) => b.tokens !== undefined || b.cost_usd !== undefined, "sets neither tokens nor cost_usd");
export type Budget = z.infer<typeof Budget>;

/** Budgets per calendar period (UTC); a period left out is not limited. */
const PeriodBudgets = z.object({ day: Budget.optional(), month: Budget.optional() }).strict();
export type PeriodBudgets = z.infer<typeof PeriodBudgets>;
export const BUDGET_PERIODS = ["day", "month"] as const;

/** `models.yaml`: model prices, each persona's allowlist and budgets per tenant and per persona. */
export const ModelsFile = z
  .object({
    models: z.record(
      ModelId,
      z
        .object({
          input_usd_per_million: z.number().min(0),
          output_usd_per_million: z.number().min(0),
        })
        .strict(),
    ),
    budgets: z
      .object({
        tenant: PeriodBudgets,
        tenants: z.record(TenantId, PeriodBudgets).default({}),
      })
      .strict(),
    personas: z.record(
      Identifier,
      z
        .object({
          models: z.array(ModelId),
          budget: PeriodBudgets.default({}),
        })
        .strict(),
    ),
  })
  .strict();
export type ModelsFile = z.infer<typeof ModelsFile>;
/** A schema per tenant in one shared database, or a database per tenant. */
export const DatabaseIsolation = z.enum(["schema", "database"]);
export type DatabaseIsolation = z.infer<typeof DatabaseIsolation>;

/** How tenant databases are isolated: a default, and per-tenant overrides. */
export const DatabasesFile = z
  .object({
    isolation: DatabaseIsolation,
    tenants: z.record(TenantId, z.object({ isolation: DatabaseIsolation }).strict()).default({}),
  })
  .strict();
export type DatabasesFile = z.infer<typeof DatabasesFile>;

/** The isolation policy asks for `tenant`'s database. */
export const databaseIsolationOf = (file: DatabasesFile, tenant: string): DatabaseIsolation =>
  file.tenants[tenant]?.isolation ?? file.isolation;

/** Everything under `policies/`, validated. */
export interface PolicySources {
  /** Role template files, each with its path relative to the policies directory. */
  roles: (RolesFile & { file: string })[];
  limits: LimitsFile;
  quotas: QuotasFile;
  approvals: ApprovalsFile;
  naming: NamingFile;
  models: ModelsFile;
  databases: DatabasesFile;
  /** Hand-written Cedar files, by path relative to the policies directory. */
  cedar: { file: string; text: string }[];
}

/** What a compiled (or hand-written) policy means to a reader of a decision. */
export interface PolicyMeta {
  id: string;
  effect: "permit" | "forbid";
  reason: string;
  source: string;
  /** Set on forbid policies that lift once the call is approved. */
  approval?: { rule: string; approvers: string[]; quorum: number };
  /**
   * Requests the policy can possibly match; absent means any. Lets the engine evaluate only the slice of
   * policies relevant to a (role, server, action), which keeps decisions fast as policies grow.
   */
  appliesTo?: { roles?: string[]; servers?: ServerName[]; actions?: ActionName[] };
}
