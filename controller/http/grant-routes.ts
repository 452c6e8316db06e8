import { Hono } from "hono";
import { z } from "zod";
import { GrantDenied } from "../grants/grant-checks.ts";
import type { Grants } from "../grants/grants.ts";
import { GrantRequestError, MintRequest } from "../grants/issue.ts";
import { TenantId } from "../ids.ts";
import { operatorName, requireOperator } from "./operator-auth.ts";
import type { PrincipalEnv } from "./principal.ts";
import { Problem, problemType } from "./problem.ts";
import { jsonBody } from "./validate.ts";

export const RootGrantRequest = MintRequest.omit({ actor: true });
export const InTenant = z.object({ tenant: TenantId });

/** Operators mint root grants for new agents, and revoke grants and agents' subtrees. */
export function grantRoutes(grants: Grants): Hono<PrincipalEnv> {
  const app = new Hono<PrincipalEnv>();
  const auth = requireOperator;

  app.post("/grants", auth, async (c) => {
    const body = await jsonBody(c, RootGrantRequest);
    try {
      const issued = await grants.issuer.mint({ ...body, actor: operatorName(c) });
      return c.json(issued, 201, { "cache-control": "no-store" });
    } catch (error) {
      if (error instanceof GrantDenied)
        throw new Problem(
          403,
          problemType("grant-denied"),
          "the grant was denied",
          error.reasons.join("; "),
          {
            reasons: error.reasons,
            policies: error.policies,
          },
        );
      if (error instanceof GrantRequestError)
        throw new Problem(400, problemType("validation"), "the request is invalid", error.message);
      throw error;
    }
  });

  app.post("/grants/:jti/revoke", auth, async (c) => {
    const { tenant } = await jsonBody(c, InTenant);
    return c.json({ revoked: await grants.revoker.revokeGrant(tenant, c.req.param("jti"), operatorName(c)) });
  });

  app.post("/agents/:id/revoke", auth, async (c) => {
    const { tenant } = await jsonBody(c, InTenant);
    return c.json({ revoked: await grants.revoker.revokeAgent(tenant, c.req.param("id"), operatorName(c)) });
  });
  return app;
}
