import type { MiddlewareHandler } from "hono";
import type { GrantClaims } from "../grants/claims.ts";
import type { Grants } from "../grants/grants.ts";
import { GrantRejected } from "../grants/verifier.ts";
import { ServerName } from "../policy/model.ts";
import { Problem, problemType } from "./problem.ts";

export type GrantEnv = { Variables: { grant: GrantClaims } };

/** Requires `Authorization: Bearer <grant>` valid for the audience it names; 401 with the rejection code otherwise. */
export function requireGrant(grants: Grants): MiddlewareHandler<GrantEnv> {
  return async (c, next) => {
    const token = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(
      c.req.header("authorization") ?? "",
    )?.[1];
    const refuse = (code: string, detail: string) => {
      c.header(
        "www-authenticate",
        `Bearer realm="startup-factory", error="invalid_token", error_description="${code}"`,
      );
      return new Problem(401, problemType(code), "a valid grant is required", detail, { code });
    };
    if (!token) throw refuse("grant_missing", "send the grant as a bearer token");
    let audience: unknown;
    try {
      audience = JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString()).aud;
    } catch {
      throw refuse("grant_malformed", "the grant could not be read");
    }
    const server = ServerName.safeParse(audience);
    if (!server.success) throw refuse("grant_wrong_audience", "the grant is for no known server");
    try {
      c.set("grant", await grants.verifierFor(server.data).verify(token));
    } catch (error) {
      if (error instanceof GrantRejected) throw refuse(error.code, error.message);
      throw error;
    }
    await next();
  };
}
