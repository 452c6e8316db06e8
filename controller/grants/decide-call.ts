import type { PolicyEngine } from "../policy/engine.ts";
import type { Decision } from "../policy/request.ts";
import type { GrantClaims } from "./claims.ts";
import { scopeAllows } from "./scope.ts";

export interface ToolCall {
  tool: string;
  resource: { kind: string; name: string };
  /** Whether the tool only reads; inferred from its verb when not given. */
  readOnly?: boolean;
  /** What the tenant has used of each quota, for writes that consume one. */
  usage?: Record<string, number>;
}

/**
 * May the holder of `grant` make this tool call? The grant's own scope first (a grant never reaches beyond
 * what it was minted for), then the policies, as of now.
 */
export function decideToolCall(engine: PolicyEngine, grant: GrantClaims, call: ToolCall): Decision {
  if (!scopeAllows(grant.scope, call.tool, call.resource.name))
    return {
      effect: "deny",
      policies: ["grant-scope"],
      reasons: [`grant ${grant.jti} does not cover ${call.tool} on ${call.resource.name}`],
    };
  return engine.decide({
    principal: { tenant: grant.tenant, persona: grant.persona, role: grant.role },
    action: "call_tool",
    resource: { server: grant.aud, kind: call.resource.kind, name: call.resource.name },
    context: {
      tool: call.tool,
      ...(call.readOnly === undefined ? {} : { readOnly: call.readOnly }),
      ...(call.usage ? { usage: call.usage } : {}),
    },
  });
}
