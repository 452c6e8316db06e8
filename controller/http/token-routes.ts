import { Hono } from "hono";
import { claimedAudience } from "../grants/claims.ts";
import { GrantDenied } from "../grants/grant-checks.ts";
import type { Grants } from "../grants/grants.ts";
import { GrantRequestError } from "../grants/issue.ts";
import { GrantScope } from "../grants/scope.ts";
import { GrantRejected } from "../grants/verifier.ts";
import { ServerName } from "../policy/model.ts";
import type { PrincipalEnv } from "./principal.ts";

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** RFC 6749 §5.2 error body; the token endpoint speaks OAuth, not problem+json. */
const oauthError = (error: string, description: string) => ({ error, error_description: description });

/**
 * The public key set, and RFC 8693 token exchange: a parent agent trades its grant for a child agent's
 * (extension parameters `persona`, `role`, and `scope` as our JSON scope), or an agent asks for its own
 * grant on another MCP server (`audience`).
 */
export function tokenRoutes(grants: Grants): Hono<PrincipalEnv> {
  const app = new Hono<PrincipalEnv>();
  // RFC 8414: what MCP clients find when a server's protected-resource metadata points here. Grants come
  // from operators (`POST /grants`) and token exchange; there is no interactive authorization flow.
  app.get("/.well-known/oauth-authorization-server", (c) => {
    const origin = new URL(c.req.url).origin;
    return c.json({
      issuer: origin,
      token_endpoint: `${origin}/oauth/token`,
      introspection_endpoint: `${origin}/oauth/introspect`,
      jwks_uri: `${origin}/.well-known/jwks.json`,
      grant_types_supported: [TOKEN_EXCHANGE],
      token_endpoint_auth_methods_supported: ["none"],
      service_documentation: `${origin}/docs`,
    });
  });
  app.get("/.well-known/jwks.json", (c) =>
    c.json(grants.ring.jwks(), 200, { "cache-control": "max-age=60" }),
  );

  // RFC 7662: any authenticated caller may ask whether a grant is live; the answer says nothing more if not.
  app.post("/oauth/introspect", async (c) => {
    if (c.get("principal").kind === "anonymous") {
      c.header("www-authenticate", 'Bearer realm="startup-factory"');
      // A grant that introspects itself and is refused learns why (revoked, expired), as any route says.
      const failure = c.get("authFailure");
      if (failure) return c.json({ ...oauthError("invalid_token", failure.detail), code: failure.code }, 401);
      return c.json(oauthError("invalid_client", "authenticate with an operator key or a grant"), 401);
    }
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const token = typeof form.token === "string" ? form.token : "";
    const audience = ServerName.safeParse(claimedAudience(token));
    if (!audience.success) return c.json({ active: false });
    try {
      const claims = await grants.verifierFor(audience.data).verify(token);
      return c.json({ active: true, token_type: "Bearer", client_id: claims.sub, ...claims });
    } catch (error) {
      if (error instanceof GrantRejected) return c.json({ active: false });
      throw error;
    }
  });

  app.post("/oauth/token", async (c) => {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const field = (name: string) => (typeof form[name] === "string" ? (form[name] as string) : undefined);
    if (field("grant_type") !== TOKEN_EXCHANGE)
      return c.json(oauthError("unsupported_grant_type", `grant_type must be ${TOKEN_EXCHANGE}`), 400);
    if (field("subject_token_type") !== JWT_TYPE)
      return c.json(oauthError("invalid_request", `subject_token_type must be ${JWT_TYPE}`), 400);
    const subjectToken = field("subject_token");
    const persona = field("persona");
    const audience = field("audience");
    if (!subjectToken) return c.json(oauthError("invalid_request", "subject_token is required"), 400);
    if (audience !== undefined && persona !== undefined)
      return c.json(
        oauthError(
          "invalid_request",
          "send persona (a child agent) or audience (this agent on another server), not both",
        ),
        400,
      );
    if (audience === undefined && !persona)
      return c.json(oauthError("invalid_request", "persona or audience is required"), 400);
    const server = audience === undefined ? undefined : ServerName.safeParse(audience);
    if (server && !server.success)
      return c.json(
        oauthError("invalid_target", `audience must be one of ${ServerName.options.join(", ")}`),
        400,
      );
    let scope: GrantScope | undefined;
    if (field("scope") !== undefined) {
      const parsed = GrantScope.safeParse(parseJson(field("scope") as string));
      if (!parsed.success)
        return c.json(oauthError("invalid_scope", "scope must be a JSON array of {tools, resources}"), 400);
      scope = parsed.data;
    }
    try {
      const role = field("role");
      const issued = server?.success
        ? await grants.issuer.forAudience({ subjectToken, audience: server.data })
        : await grants.issuer.exchange({
            subjectToken,
            persona: persona as string,
            ...(role ? { role } : {}),
            ...(scope ? { scope } : {}),
            ...(field("agent_id") ? { agentId: field("agent_id") as string } : {}),
          });
      return c.json(
        {
          access_token: issued.token,
          issued_token_type: JWT_TYPE,
          token_type: "Bearer",
          expires_in: issued.claims.exp - issued.claims.iat,
          agent_id: issued.agentId,
        },
        200,
        { "cache-control": "no-store" },
      );
    } catch (error) {
      if (error instanceof GrantRejected)
        return c.json(oauthError("invalid_grant", `${error.code}: ${error.message}`), 400);
      if (error instanceof GrantRequestError)
        return c.json(oauthError("invalid_request", error.message), 400);
      if (error instanceof GrantDenied)
        return c.json(
          oauthError(
            error.policies.includes("scope") ? "invalid_scope" : "unauthorized_client",
            error.message,
          ),
          400,
        );
      throw error;
    }
  });
  return app;
}
