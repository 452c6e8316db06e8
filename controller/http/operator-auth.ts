import type { MiddlewareHandler } from "hono";
import type { Db } from "../db/database.ts";
import { authenticateOperator, type Operator } from "../operators/operators.ts";
import { Problem, problemType } from "./problem.ts";

export type OperatorEnv = { Variables: { operator: Operator } };

/** Requires `Authorization: Bearer <operator API key>`; 401 with WWW-Authenticate otherwise. */
export function requireOperator(db: Db): MiddlewareHandler<OperatorEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const key = /^Bearer (sfk_[A-Za-z0-9_-]{20,})$/.exec(header)?.[1];
    const operator = key ? await authenticateOperator(db, key) : undefined;
    if (!operator) {
      c.header("www-authenticate", 'Bearer realm="startup-factory operators"');
      throw new Problem(401, problemType("unauthenticated"), "an operator API key is required");
    }
    c.set("operator", operator);
    await next();
  };
}
