import type { MiddlewareHandler } from "hono";
import { isInProcess } from "./in-process.ts";
import { type PrincipalEnv, principalKey } from "./principal.ts";
import { Problem, problemType } from "./problem.ts";

/** Most buckets kept before idle ones are dropped; a full bucket and a dropped one behave the same. */
const MAX_BUCKETS = 100_000;

/**
 * Token buckets, one per key: `perMinute` requests a minute, in bursts of up to `perMinute`. In memory, per
 * controller process: behind N replicas a principal gets up to N times the rate, which is what it protects
 * against (one runaway agent or script starving the rest) either way.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #perMs: number;
  constructor(
    readonly perMinute: number,
    readonly clock: () => number = Date.now,
  ) {
    this.#perMs = perMinute / 60_000;
  }

  /** Takes one token for `key`; returns 0 when allowed, else the seconds until the next token. */
  take(key: string): number {
    const now = this.clock();
    const bucket = this.#buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.#perMs);
    bucket.at = now;
    this.#buckets.delete(key); // re-inserted last: Map order is least recently used first
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > MAX_BUCKETS) this.#buckets.delete(this.#buckets.keys().next().value as string);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perMs / 1000));
  }
}

/**
 * 429 with Retry-After once the caller's bucket is empty; runs after `identify`, so keys are per principal.
 * Requests the process sends itself (an MCP call's decision, intent and credential) were counted once
 * already, as the MCP request that caused them.
 */
export function rateLimit(limiter: RateLimiter): MiddlewareHandler<PrincipalEnv> {
  return async (c, next) => {
    if (isInProcess(c)) return next();
    const wait = limiter.take(principalKey(c.get("principal")));
    if (wait > 0) {
      c.header("retry-after", String(wait));
      throw new Problem(
        429,
        problemType("rate-limited"),
        "too many requests",
        `at most ${limiter.perMinute} requests a minute; retry in ${wait} s`,
      );
    }
    await next();
  };
}
