import { z } from "zod";

/** Tenant ids are short lowercase slugs without hyphens, so `{tenant}-*` names can never be ambiguous. */
export const TenantId = z
  .string()
  .regex(/^[a-z][a-z0-9]{1,30}$/, "must be 2-31 lowercase letters or digits, starting with a letter");
export type TenantId = z.infer<typeof TenantId>;

/** Persona, role, resource-kind and rule names: lowercase words joined by `-` or `_`. */
export const Identifier = z.string().regex(/^[a-z][a-z0-9_-]*$/, "must be lowercase letters, digits, - or _");

/** A concrete `<area>_<verb>_<noun>` tool name (patterns with `*` are a policy matter). */
export const ToolName = z
  .string()
  .regex(/^[a-z0-9_]+$/, "must be a tool name: lowercase letters, digits and _");

/** A provider resource's name as policies and scopes see it (repository, project, database…). */
export const ResourceName = z
  .string()
  .regex(/^[A-Za-z0-9._/-]{1,200}$/, "must be 1-200 letters, digits, . _ / or -");
