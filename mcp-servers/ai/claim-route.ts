import { Hono } from "hono";
import { type AgentClient, ControllerRefused } from "../../controller/client/agent-client.ts";
import { authenticate } from "../shared/caller.ts";
import type { SpawnRegistry } from "./spawned.ts";

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Where an agent runtime in another process collects a child it spawned through the AI server: the parent
 * presents its own AI grant, and only the parent gets the child's grant, once. The answer is never cached.
 */
export function spawnClaimRoutes(spawned: SpawnRegistry, controller: AgentClient): Hono {
  const app = new Hono();
  app.post("/mcp/ai/spawned/:agentId", async (c) => {
    const token = BEARER.exec(c.req.header("authorization") ?? "")?.[1];
    if (!token)
      return c.json({ error: "invalid_token", error_description: "send the parent's AI grant" }, 401);
    let parent: string;
    try {
      parent = (await authenticate(controller, token, "ai")).grant.sub;
    } catch (error) {
      if (error instanceof ControllerRefused)
        return c.json({ error: "invalid_token", error_description: error.message }, 401);
      throw error;
    }
    const child = spawned.claim(c.req.param("agentId"));
    if (!child)
      return c.json(
        {
          error: "not_found",
          error_description: "no such spawned agent waiting (claimed, expired or never spawned)",
        },
        404,
      );
    if (child.parentId !== parent) {
      await spawned.hold(child);
      return c.json(
        { error: "forbidden", error_description: "only the agent that spawned it may claim it" },
        403,
      );
    }
    c.header("cache-control", "no-store");
    return c.json({ agentId: child.agentId, token: child.token, expiresAt: child.expiresAt });
  });
  return app;
}
