import type { Context, MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { SandboxStore } from "./store.ts";

/** A failure a sandbox answers with for the next `remaining` requests to one method and path (tests, evals). */
export interface Fault {
  method: string;
  path: string;
  status: ContentfulStatusCode;
  message: string;
  headers: Record<string, string>;
  remaining: number;
}

export const faultKey = (method: string, path: string) => `${method.toUpperCase()} ${path.toLowerCase()}`;

/** Arms a fault (`times` 0 disarms it). */
export function armFault(
  store: SandboxStore,
  fault: {
    method: string;
    path: string;
    status: ContentfulStatusCode;
    message?: string;
    headers?: Record<string, string>;
    times?: number;
  },
): Promise<void> {
  return store.transaction(async (o) => {
    await o.put<Fault>("fault", faultKey(fault.method, fault.path), {
      method: fault.method.toUpperCase(),
      path: fault.path,
      status: fault.status,
      message: fault.message ?? "Injected failure",
      headers: fault.headers ?? {},
      remaining: fault.times ?? 1,
    });
  });
}

/** The faults still armed, as `<METHOD> <path> ×<remaining>`: a test or eval checks its faults were reached. */
export function armedFaults(store: SandboxStore): Promise<string[]> {
  return store.transaction(async (o) =>
    (await o.list<Fault>("fault")).map((f) => `${f.method} ${f.path} ×${f.remaining}`).sort(),
  );
}

/**
 * Answers a request with its injected fault, if one is armed, in the provider's own error shape (`render`).
 * Consumed in a transaction of its own, so the request's failure does not roll the count back.
 */
export function injectedFaults(
  store: SandboxStore,
  render: (c: Context, status: ContentfulStatusCode, message: string) => Response,
): MiddlewareHandler {
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
    return render(c, fault.status, fault.message);
  };
}
