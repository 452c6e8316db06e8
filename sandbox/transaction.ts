import type { MiddlewareHandler } from "hono";
import type { Objects, SandboxStore } from "./store.ts";

class Rollback extends Error {}

/**
 * Runs each request in one transaction over the sandbox's objects (`c.get("objects")`), rolled back when
 * the request fails (an error or a 4xx/5xx answer), so a refused call changes nothing.
 */
export function transactionPerRequest(
  store: SandboxStore,
): MiddlewareHandler<{ Variables: { objects: Objects } }> {
  return async (c, next) => {
    await store
      .transaction(async (objects) => {
        c.set("objects", objects);
        await next();
        if (c.error || c.res.status >= 400) throw new Rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
  };
}
