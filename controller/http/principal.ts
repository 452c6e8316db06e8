import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import type { Db } from "../db/database.ts";
import { claimedAudience, type GrantClaims } from "../grants/claims.ts";
import type { Grants } from "../grants/grants.ts";
import { GrantRejected } from "../grants/verifier.ts";
import { authenticateOperator, type Operator } from "../operators/operators.ts";
import { ServerName } from "../policy/model.ts";
import { isInProcess } from "./in-process.ts";

/** Who is calling: set once per request by `identify`, read by the route guards and the rate limiter. */
export type Principal =
  | { kind: "operator"; operator: Operator }
  | { kind: "agent"; grant: GrantClaims }
  | { kind: "anonymous"; address: string };

/** Why a presented credential was refused: a grant rejection code, or `operator_key_invalid`. */
export interface AuthFailure {
  code: string;
  detail: string;
}

export type PrincipalEnv = {
  Variables: { principal: Principal; authFailure?: AuthFailure; operator: Operator; grant: GrantClaims };
};

const OPERATOR_KEY = /^Bearer (sfk_[A-Za-z0-9_-]{20,})$/;
const GRANT = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;

function address(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown"; // not served by @hono/node-server (app.request in tests)
  }
}

/**
 * Authenticates whatever credential the request carries: an operator API key or an agent's grant. A
 * refused credential leaves the caller anonymous with the reason recorded, for the route guard to report.
 */
export function identify(deps: { db: Db; grants: Grants }): MiddlewareHandler<PrincipalEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    // The client's address keys an anonymous caller's rate limit; looking it up costs, so only for them.
    c.set("principal", { kind: "anonymous", address: "" });
    const key = OPERATOR_KEY.exec(header)?.[1];
    const token = key ? undefined : GRANT.exec(header)?.[1];
    if (key) {
      const operator = await authenticateOperator(deps.db, key);
      if (operator) {
        c.set("principal", { kind: "operator", operator });
        c.set("operator", operator);
      } else c.set("authFailure", { code: "operator_key_invalid", detail: "unknown or revoked API key" });
    } else if (token) {
      const audience = ServerName.safeParse(claimedAudience(token));
      if (!audience.success)
        c.set("authFailure", { code: "grant_wrong_audience", detail: "the grant is for no known server" });
      else
        try {
          const grant = await deps.grants.verifierFor(audience.data).verify(token);
          c.set("principal", { kind: "agent", grant });
          c.set("grant", grant);
        } catch (error) {
          if (!(error instanceof GrantRejected)) throw error;
          c.set("authFailure", { code: error.code, detail: error.message });
        }
    } else if (header !== "")
      c.set("authFailure", { code: "credential_malformed", detail: "send Bearer <API key or grant>" });
    if (c.get("principal").kind === "anonymous")
      c.set("principal", { kind: "anonymous", address: isInProcess(c) ? "in-process" : address(c) });
    await next();
  };
}

/** The rate-limit key of a principal: one bucket per operator, per agent, or per client address. */
export function principalKey(principal: Principal): string {
  switch (principal.kind) {
    case "operator":
      return `operator:${principal.operator.id}`;
    case "agent":
      return `agent:${principal.grant.sub}`;
    case "anonymous":
      return `address:${principal.address}`;
    default: {
      const unreachable: never = principal;
      return unreachable;
    }
  }
}
