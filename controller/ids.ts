import { z } from "zod";

/** Tenant ids are short lowercase slugs without hyphens, so `{tenant}-*` names can never be ambiguous. */
export const TenantId = z
  .string()
  .regex(/^[a-z][a-z0-9]{1,30}$/, "must be 2-31 lowercase letters or digits, starting with a letter");
export type TenantId = z.infer<typeof TenantId>;
