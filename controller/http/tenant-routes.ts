import { and, asc, count, eq, isNull } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import type { Db } from "../db/database.ts";
import { agents, tenants, tenantUsage } from "../db/schema.ts";
import { asPlatform, withTenant } from "../db/scope.ts";
import type { Grants } from "../grants/grants.ts";
import { lineage } from "../grants/lineage.ts";
import { TenantId } from "../ids.ts";
import type { Intents } from "../intents/intents.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { QuotasFile } from "../policy/model.ts";
import { operatorName, requireOperator } from "./operator-auth.ts";
import type { PrincipalEnv } from "./principal.ts";
import { Problem, problemType } from "./problem.ts";
import { jsonBody, pathParam } from "./validate.ts";

/** Registers a tenant and records who did; undefined when it exists already. */
export async function createTenant(db: Db, ledger: Ledger, tenant: z.infer<typeof NewTenant>, actor: string) {
  const [created] = await asPlatform(db, (tx) =>
    tx.insert(tenants).values(tenant).onConflictDoNothing().returning(),
  );
  if (!created) return undefined;
  await ledger.append({
    tenant: tenant.id,
    actor,
    action: "tenant.created",
    resource: `tenant:${tenant.id}`,
    payload: { displayName: tenant.displayName },
  });
  return created;
}

export const NewTenant = z.object({
  id: TenantId.describe("2-31 lowercase letters or digits; prefixes the tenant's resource names"),
  displayName: z.string().min(1).max(200),
});

/** Tenants: create, list, show with quotas and usage, kill; an agent's lineage and overdue intents. */
export function tenantRoutes(deps: {
  db: Db;
  ledger: Ledger;
  grants: Grants;
  intents: Intents;
  quotas: QuotasFile;
}): Hono<PrincipalEnv> {
  const { db, ledger, grants, intents } = deps;
  const app = new Hono<PrincipalEnv>();
  const auth = requireOperator;

  app.post("/tenants", auth, async (c) => {
    const body = await jsonBody(c, NewTenant);
    const created = await createTenant(db, ledger, body, operatorName(c));
    if (!created) throw new Problem(409, problemType("tenant-exists"), `tenant ${body.id} already exists`);
    return c.json(created, 201);
  });

  app.get("/tenants", auth, async (c) => {
    const rows = await asPlatform(db, (tx) => tx.select().from(tenants).orderBy(asc(tenants.id)));
    return c.json({ tenants: rows });
  });

  app.get("/tenants/:tenant", auth, async (c) => {
    const id = pathParam(c, "tenant", TenantId);
    const [tenant] = await asPlatform(db, (tx) => tx.select().from(tenants).where(eq(tenants.id, id)));
    if (!tenant) throw new Problem(404, problemType("not-found"), `there is no tenant ${id}`);
    const [usage, live] = await withTenant(db, id, (tx) =>
      Promise.all([
        tx.select().from(tenantUsage),
        tx
          .select({ n: count() })
          .from(agents)
          .where(and(isNull(agents.revokedAt))),
      ]),
    );
    const quotas = { ...deps.quotas.defaults, ...(deps.quotas.tenants[id] ?? {}) };
    return c.json({
      ...tenant,
      quotas,
      usage: Object.fromEntries(usage.map((u) => [u.resource, u.used])),
      liveAgents: live[0]?.n ?? 0,
    });
  });

  app.post("/tenants/:tenant/kill", auth, async (c) => {
    const tenant = pathParam(c, "tenant", TenantId);
    await grants.revoker.revokeTenant(tenant, operatorName(c));
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
