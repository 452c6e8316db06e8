import type { MiddlewareHandler } from "hono";
import type { PrincipalEnv } from "./principal.ts";
import { Problem, problemType } from "./problem.ts";

/** Requires an agent's grant (`Authorization: Bearer <grant>`); 401 carrying the rejection code otherwise. */
export const requireGrant: MiddlewareHandler<PrincipalEnv> = async (c, next) => {
  if (c.get("principal").kind !== "agent") {
    const failure = c.get("authFailure") ?? {
      code: "grant_missing",
      detail: "send the grant as a bearer token",
    };
    c.header(
      "www-authenticate",
      `Bearer realm="startup-factory", error="invalid_token", error_description="${failure.code}"`,
    );
    throw new Problem(401, problemType(failure.code), "a valid grant is required", failure.detail, {
      code: failure.code,
    });
  }
  await next();
};
