import { Hono } from "hono";
import { z } from "zod";
import type { Db } from "../db/database.ts";
import { isUniqueViolation } from "../db/errors.ts";
import type { Grants } from "../grants/grants.ts";
import { Identifier } from "../ids.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { createOperator, OperatorRole } from "../operators/operators.ts";
import { operatorName, requireOperatorRole } from "./operator-auth.ts";
import type { PrincipalEnv } from "./principal.ts";
import { Problem, problemType } from "./problem.ts";
import { jsonBody } from "./validate.ts";

export const NewOperator = z.object({ name: Identifier, roles: z.array(OperatorRole).min(1).max(10) });
export const KillEverything = z.object({
  confirm: z.literal("everything", { error: 'must be "everything"' }),
});

/** What only platform admins may do: add operators, and kill every tenant at once. */
export function operatorRoutes(deps: { db: Db; ledger: Ledger; grants: Grants }): Hono<PrincipalEnv> {
  const { db, ledger, grants } = deps;
  const app = new Hono<PrincipalEnv>();
  const admin = requireOperatorRole("platform-admin");

  app.post("/operators", admin, async (c) => {
    const body = await jsonBody(c, NewOperator);
    const created = await createOperator(db, body).catch((error: unknown) => {
      if (isUniqueViolation(error))
        throw new Problem(409, problemType("operator-exists"), `operator ${body.name} already exists`);
      throw error;
    });
    await ledger.append({
      tenant: null,
      actor: operatorName(c),
      action: "operator.created",
      resource: `operator:${body.name}`,
      payload: { id: created.operator.id, roles: body.roles },
    });
    return c.json(created, 201, { "cache-control": "no-store" });
  });

  app.post("/kill", admin, async (c) => {
    await jsonBody(c, KillEverything);
    return c.json({ killed: await grants.revoker.revokeEverything(operatorName(c)) });
  });
  return app;
}
