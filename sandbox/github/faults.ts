import type { MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { SandboxStore } from "../store.ts";
import { GitHubError, githubError } from "./errors.ts";

/** A failure the sandbox answers with for the next `remaining` requests to one method and path (tests, evals). */
export interface Fault {
  method: string;
  path: string;
  status: ContentfulStatusCode;
  message: string;
  headers: Record<string, string>;
  remaining: number;
}

export const faultKey = (method: string, path: string) => `${method.toUpperCase()} ${path.toLowerCase()}`;

/**
 * Answers a request with its injected fault, if one is armed. Consumed in a transaction of its own, so the
 * request's failure does not roll the count back.
 */
export function injectedFaults(store: SandboxStore): MiddlewareHandler {
  return async (c, next) => {
    const key = faultKey(c.req.method, new URL(c.req.url).pathname);
    const fault = await store.transaction(async (objects) => {
      const armed = await objects.get<Fault>("fault", key, { forUpdate: true });
      if (!armed || armed.remaining <= 0) return undefined;
      if (armed.remaining === 1) await objects.delete("fault", key);
      else await objects.put("fault", key, { ...armed, remaining: armed.remaining - 1 });
      return armed;
    });
    if (!fault) return next();
    for (const [name, value] of Object.entries(fault.headers)) c.header(name, value);
    return githubError(c, new GitHubError(fault.status, fault.message));
  };
}
