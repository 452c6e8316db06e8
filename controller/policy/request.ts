import { z } from "zod";
import { Identifier, ResourceName, TenantId, ToolName } from "../ids.ts";
import { ActionName, ServerName } from "./model.ts";

/** "May this principal do this action on this resource, in this context?" */
export const DecisionRequest = z.object({
  principal: z.object({
    tenant: TenantId,
    persona: Identifier,
    role: Identifier,
  }),
  action: ActionName,
  resource: z.object({
    server: ServerName,
    kind: Identifier,
    name: ResourceName,
    /** The tenant that owns the resource, when the caller knows it from its registry. */
    tenant: TenantId.optional(),
  }),
  context: z
    .object({
      tool: ToolName.optional(),
      /** Whether the tool only reads; inferred from its verb when not given. */
      readOnly: z.boolean().optional(),
      /** True once the call's approval has reached quorum. */
      approved: z.boolean().default(false),
      /** What the tenant has used of each quota; missing quotas count as 0. */
      usage: z.record(z.string(), z.number().int().min(0)).default({}),
      childPersona: Identifier.optional(),
      children: z.number().int().min(0).default(0),
      depth: z.number().int().min(0).default(0),
    })
    .default({ approved: false, usage: {}, children: 0, depth: 0 }),
});
export type DecisionRequest = z.input<typeof DecisionRequest>;
export type ParsedDecisionRequest = z.output<typeof DecisionRequest>;

export type Effect = "allow" | "deny" | "needs-approval";

export interface Decision {
  effect: Effect;
  /** Ids of the policies that decided; `default-deny` when nothing permitted the request. */
  policies: string[];
  /** One readable sentence per deciding policy. */
  reasons: string[];
  /** What it takes to approve, when `effect` is needs-approval. */
  approval?: { rules: string[]; approvers: string[]; quorum: number };
}

// `plan` is a dry run (plan_blueprint): it reads the current state and changes nothing.
const READ_VERBS = new Set(["get", "list", "search", "read", "download", "check", "explain", "plan"]);
const WRITE_VERBS = new Set([
  "create",
  "update",
  "delete",
  "set",
  "add",
  "remove",
  "run",
  "push",
  "merge",
  "archive",
  "enable",
  "disable",
  "rotate",
  "provision",
  "record",
  "spawn",
  "queue",
  "invite",
  "revoke",
  "commit",
  "authorize",
  "share",
  "apply",
]);

/** `<area>_<verb>_<noun>`: the first known verb decides; an unknown verb counts as a write (fail safe). */
export function isReadOnlyTool(tool: string): boolean {
  for (const part of tool.split("_")) {
    if (READ_VERBS.has(part)) return true;
    if (WRITE_VERBS.has(part)) return false;
  }
  return false;
}

/** The name as seen from `tenant`: its id, as a whole word, becomes `{tenant}` so one policy serves all tenants. */
export function scopedName(name: string, tenant: string): string {
  return name.replace(new RegExp(`(?<![A-Za-z0-9])${tenant}(?![A-Za-z0-9])`, "g"), "{tenant}");
}
