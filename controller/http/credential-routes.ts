import { Hono } from "hono";
import { type CredentialBroker, CredentialsNotConfigured } from "../broker/broker.ts";
import { BrokerError } from "../broker/broker-types.ts";
import { GrantRejected } from "../grants/verifier.ts";
import { requireGrant } from "./grant-auth.ts";
import type { PrincipalEnv } from "./principal.ts";
import { Problem, problemType } from "./problem.ts";

function asProblem(error: unknown): never {
  if (error instanceof GrantRejected)
    throw new Problem(401, problemType(error.code), "a valid grant is required", error.message, {
      code: error.code,
    });
  if (error instanceof CredentialsNotConfigured)
    throw new Problem(
      503,
      problemType("credentials-not-configured"),
      "no provider credentials",
      error.message,
    );
  if (error instanceof BrokerError)
    throw new Problem(502, problemType("provider-error"), "the provider refused or failed", error.message);
  throw error;
}

/**
 * The credential broker for MCP servers: the provider token narrowed to the calling grant, the same one for
 * as long as it stays fresh. Never cached by anything in between.
 */
export function credentialRoutes(broker: CredentialBroker): Hono<PrincipalEnv> {
  const app = new Hono<PrincipalEnv>();
  app.post("/credentials", requireGrant, async (c) => {
    const credential = await broker.credentialFor(c.get("grant")).catch(asProblem);
    c.header("cache-control", "no-store");
    c.header("pragma", "no-cache");
    return c.json({ ...credential, expiresAt: credential.expiresAt.toISOString() });
  });
  return app;
}
