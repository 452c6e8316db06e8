import { type AgentClient, ControllerRefused } from "../../controller/client/agent-client.ts";
import type { Caller } from "./tool.ts";

/**
 * Establishes who is calling: the controller verifies the grant (signature, expiry, revocation) and the
 * grant must be for this very server, since a grant for one server never opens another.
 */
export async function authenticate(controller: AgentClient, token: string, server: string): Promise<Caller> {
  const grant = await controller.introspect(token);
  if (grant.aud !== server)
    throw new ControllerRefused(
      401,
      "grant_wrong_audience",
      `the grant is for the ${grant.aud} server, not ${server}`,
    );
  return { token, grant, controller };
}
