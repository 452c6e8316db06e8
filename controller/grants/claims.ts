import { z } from "zod";
import { TenantId } from "../ids.ts";
import { ServerName } from "../policy/model.ts";
import { GrantScope } from "./scope.ts";

/** RFC 8693 `act`: who acted on whose behalf, nested from the nearest actor outwards. */
export interface ActorChain {
  sub: string;
  act?: ActorChain;
}
export const ActorChain: z.ZodType<ActorChain> = z.lazy(() =>
  z.object({ sub: z.string().min(1), act: ActorChain.optional() }),
);

/** The claims of a grant: one agent, one MCP server (`aud`), a scope, a short life. */
export const GrantClaims = z.object({
  iss: z.string().min(1),
  sub: z.string().min(1).describe("agent id"),
  aud: ServerName.describe("the MCP server the grant is for"),
  tenant: TenantId,
  persona: z.string().min(1),
  role: z.string().min(1),
  scope: GrantScope,
  jti: z.string().min(1),
  iat: z.number().int(),
  nbf: z.number().int().optional(),
  exp: z.number().int(),
  depth: z.number().int().min(0),
  /** Grant ids of this grant's ancestors, nearest first: revoking any of them revokes this one. */
  anc: z.array(z.string()).default([]),
  act: ActorChain.optional(),
});
export type GrantClaims = z.infer<typeof GrantClaims>;

export const ISSUER = "startup-factory-controller";

/** The `aud` a token claims, read before verification only to pick the verifier that will check it. */
export function claimedAudience(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()).aud;
  } catch {
    return undefined;
  }
}
