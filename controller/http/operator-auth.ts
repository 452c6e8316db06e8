import type { MiddlewareHandler } from "hono";
import type { PrincipalEnv } from "./principal.ts";
import { Problem, problemType } from "./problem.ts";

/** Requires an operator (`Authorization: Bearer sfk_…`); 401 with WWW-Authenticate otherwise. */
export const requireOperator: MiddlewareHandler<PrincipalEnv> = async (c, next) => {
  if (c.get("principal").kind !== "operator") {
    c.header("www-authenticate", 'Bearer realm="startup-factory operators"');
    throw new Problem(401, problemType("unauthenticated"), "an operator API key is required");
  }
  await next();
};

/** Requires an operator holding `role`; 403 otherwise. */
export function requireOperatorRole(role: string): MiddlewareHandler<PrincipalEnv> {
  return async (c, next) =>
    requireOperator(c, async () => {
      if (!c.get("operator").roles.includes(role))
        throw new Problem(403, problemType("forbidden"), `only a ${role} may do this`);
      await next();
    });
}

/** The ledger actor for the authenticated operator. */
export const operatorName = (c: { get(key: "operator"): { name: string } }) =>
  `operator:${c.get("operator").name}`;
