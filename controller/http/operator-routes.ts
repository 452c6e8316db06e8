import { Hono } from "hono";
import { z } from "zod";
import type { Db } from "../db/database.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { tenants } from "../db/schema.ts";
import { asPlatform } from "../db/scope.ts";
import type { Grants } from "../grants/grants.ts";
import { GrantDenied, GrantRequestError, MintRequest } from "../grants/issue.ts";
import { lineage } from "../grants/lineage.ts";
import { Identifier, TenantId } from "../ids.ts";
import type { Intents } from "../intents/intents.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { createOperator, OperatorRole } from "../operators/operators.ts";
import { type OperatorEnv, requireOperator } from "./operator-auth.ts";
import { Problem, problemType } from "./problem.ts";
import { jsonBody, pathParam } from "./validate.ts";

const NewOperator = z.object({ name: Identifier, roles: z.array(OperatorRole).min(1).max(10) });
const NewTenant = z.object({ id: TenantId, displayName: z.string().min(1).max(200) });
const InTenant = z.object({ tenant: TenantId });

/** What only authenticated operators may do: create tenants, mint root grants, revoke, kill, and look at lineage. */
export function operatorRoutes(deps: {
  db: Db;
  ledger: Ledger;
  grants: Grants;
  intents: Intents;
}): Hono<OperatorEnv> {
  const { db, ledger, grants, intents } = deps;
  const app = new Hono<OperatorEnv>();
  // Per route, not `use("*")`: mounted at "/", a wildcard would also guard the public routes and 404s.
  const auth = requireOperator(db);
  const actor = (c: { get(key: "operator"): { name: string } }) => `operator:${c.get("operator").name}`;

  app.post("/operators", auth, async (c) => {
    if (!c.get("operator").roles.includes("platform-admin"))
      throw new Problem(403, problemType("forbidden"), "only a platform-admin may add operators");
    const body = await jsonBody(c, NewOperator);
    const created = await createOperator(db, body).catch((error: unknown) => {
      if (isUniqueViolation(error))
        throw new Problem(409, problemType("operator-exists"), `operator ${body.name} already exists`);
      throw error;
    });
    await ledger.append({
      tenant: null,
      actor: actor(c),
      action: "operator.created",
      resource: `operator:${body.name}`,
      payload: { id: created.operator.id, roles: body.roles },
    });
    return c.json(created, 201, { "cache-control": "no-store" });
  });

  app.post("/tenants", auth, async (c) => {
    const body = await jsonBody(c, NewTenant);
    const created = await asPlatform(db, (tx) =>
      tx.insert(tenants).values(body).onConflictDoNothing().returning(),
    );
    if (created.length === 0)
      throw new Problem(409, problemType("tenant-exists"), `tenant ${body.id} already exists`);
    await ledger.append({
      tenant: body.id,
      actor: actor(c),
      action: "tenant.created",
      resource: `tenant:${body.id}`,
      payload: { displayName: body.displayName },
    });
    return c.json(created[0], 201);
  });

  app.post("/grants", auth, async (c) => {
    const body = await jsonBody(c, MintRequest.omit({ actor: true }));
    try {
      const issued = await grants.issuer.mint({ ...body, actor: actor(c) });
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
    return c.json({ revoked: await grants.revoker.revokeGrant(tenant, c.req.param("jti"), actor(c)) });
  });

  app.post("/agents/:id/revoke", auth, async (c) => {
    const { tenant } = await jsonBody(c, InTenant);
    return c.json({ revoked: await grants.revoker.revokeAgent(tenant, c.req.param("id"), actor(c)) });
  });

  app.post("/tenants/:tenant/kill", auth, async (c) => {
    const tenant = pathParam(c, "tenant", TenantId);
    await grants.revoker.revokeTenant(tenant, actor(c));
    return c.json({ killed: tenant });
  });

  app.get("/tenants/:tenant/agents/:id/lineage", auth, async (c) => {
    const tenant = pathParam(c, "tenant", TenantId);
    const tree = await lineage(db, tenant, c.req.param("id"));
    if (!tree)
      throw new Problem(404, problemType("not-found"), `no agent ${c.req.param("id")} in tenant ${tenant}`);
    return c.json(tree);
  });
  app.get("/tenants/:tenant/intents/overdue", auth, async (c) => {
    const tenant = pathParam(c, "tenant", TenantId);
    return c.json({ overdue: await intents.overdue(tenant) });
  });
  return app;
}
