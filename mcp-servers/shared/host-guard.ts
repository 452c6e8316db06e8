import type { MiddlewareHandler } from "hono";

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];

const hostnameOf = (host: string) =>
  host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0];

/**
 * DNS-rebinding protection: a page on another site that resolves its name to this machine still sends its
 * own Host and Origin, so both must name an allowed host (loopback names unless configured otherwise).
 */
export function hostGuard(allowedHosts: readonly string[] = LOOPBACK): MiddlewareHandler {
  const allowed = new Set(allowedHosts.map((h) => h.toLowerCase()));
  return async (c, next) => {
    const host = hostnameOf((c.req.header("host") ?? "").toLowerCase());
    if (!host || !allowed.has(host))
      return c.json(
        { error: "forbidden", error_description: `host ${host || "(none)"} is not allowed` },
        403,
      );
    const origin = c.req.header("origin");
    if (origin) {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).hostname.toLowerCase();
      } catch {
        originHost = undefined;
      }
      if (!originHost || !allowed.has(originHost))
        return c.json({ error: "forbidden", error_description: `origin ${origin} is not allowed` }, 403);
    }
    await next();
  };
}
