import { Hono } from "hono";
import { z } from "zod";
import { TenantId } from "../ids.ts";
import {
  SecretNotFound,
  SecretOutsideTenant,
  SecretRefPath,
  SecretValue,
  type SecretVault,
} from "../secrets/vault.ts";
import { VaultKeyError } from "../secrets/vault-key.ts";
import { requireGrant } from "./grant-auth.ts";
import type { PrincipalEnv } from "./principal.ts";
import { Problem, problemType } from "./problem.ts";
import { jsonBody } from "./validate.ts";

export const StoreSecretBody = z
  .object({
    ref: SecretRefPath,
    value: SecretValue,
    tenant: TenantId.optional().describe(
      "operators only: the tenant the secret belongs to (an agent's is its grant's)",
    ),
  })
  .strict();
export const ResolveSecretBody = z.object({ ref: SecretRefPath }).strict();

function asProblem(error: unknown): never {
  if (error instanceof SecretOutsideTenant)
    throw new Problem(403, problemType("secret-outside-tenant"), "another tenant's secret", error.message);
  if (error instanceof SecretNotFound)
    throw new Problem(404, problemType("secret-not-found"), "no such secret", error.message);
  if (error instanceof VaultKeyError)
    throw new Problem(500, problemType("vault-key"), "the secret cannot be decrypted", error.message);
  throw error;
}

/**
 * The secret vault over HTTP. An agent stores and resolves secrets of its grant's tenant only; an operator
 * may store one for a tenant it names. Answers are never cached.
 */
export function secretRoutes(vault: SecretVault): Hono<PrincipalEnv> {
  const app = new Hono<PrincipalEnv>();

  app.put("/secrets", async (c) => {
    const principal = c.get("principal");
    if (principal.kind === "anonymous") await requireGrant(c, async () => {});
    const body = await jsonBody(c, StoreSecretBody);
    let tenant: string;
    let actor: string;
    if (principal.kind === "agent") {
      tenant = principal.grant.tenant;
      actor = `agent:${principal.grant.sub}`;
      if (body.tenant && body.tenant !== tenant)
        throw new Problem(
          403,
          problemType("secret-outside-tenant"),
          "another tenant's secret",
          "tenant: is not the grant's tenant",
          {
            errors: [{ field: "tenant", message: "is not the grant's tenant" }],
          },
        );
    } else {
      if (!body.tenant)
        throw new Problem(
          400,
          problemType("validation"),
          "the request is invalid",
          "tenant: an operator must name the tenant",
          {
            errors: [{ field: "tenant", message: "an operator must name the tenant" }],
          },
        );
      tenant = body.tenant;
      actor = `operator:${c.get("operator").name}`;
    }
    const stored = await vault.store(tenant, body.ref, body.value, actor).catch(asProblem);
    c.header("cache-control", "no-store");
    return c.json({
      ref: stored.ref,
      fingerprint: stored.fingerprint,
      updatedAt: stored.updatedAt.toISOString(),
    });
  });

  app.post("/secrets/resolve", requireGrant, async (c) => {
    const { ref } = await jsonBody(c, ResolveSecretBody);
    const grant = c.get("grant");
    const value = await vault.resolve(grant.tenant, ref, `agent:${grant.sub}`).catch(asProblem);
    c.header("cache-control", "no-store");
    c.header("pragma", "no-cache");
    return c.json({ ref, value });
  });

  return app;
}
