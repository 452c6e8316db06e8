import { Hono } from "hono";
import { z } from "zod";
import { decideToolCall } from "../grants/decide-call.ts";
import { Identifier, ResourceName, ToolName } from "../ids.ts";
import type { PolicyEngine } from "../policy/engine.ts";
import { requireGrant } from "./grant-auth.ts";
import type { PrincipalEnv } from "./principal.ts";
import { jsonBody } from "./validate.ts";

export const ReadCallBody = z.object({
  tool: ToolName.describe("the MCP tool about to run, e.g. repos_get_repository"),
  resource: z
    .object({ kind: Identifier, name: ResourceName })
    .describe("what it reads, e.g. {kind: repository, name: acme-api}"),
});

/**
 * Decisions on read-only tool calls, for MCP servers' gates: the caller's grant is verified on the way in
 * (signature, audience, expiry, revocation), and the answer carries its claims. Writes are decided when
 * their intent is recorded (`POST /intents`).
 */
export function decisionRoutes(engine: PolicyEngine): Hono<PrincipalEnv> {
  const app = new Hono<PrincipalEnv>();
  app.post("/tool-calls/decide", requireGrant, async (c) => {
    const body = await jsonBody(c, ReadCallBody);
    const grant = c.get("grant");
    const { effect, policies, reasons } = decideToolCall(engine, grant, {
      ...body,
      readOnly: true,
    });
    return c.json({
      decision: { effect, policies, reasons },
      grant: {
        sub: grant.sub,
        aud: grant.aud,
        tenant: grant.tenant,
        persona: grant.persona,
        role: grant.role,
        jti: grant.jti,
        exp: grant.exp,
        depth: grant.depth,
        scope: grant.scope,
      },
    });
  });
  return app;
}
