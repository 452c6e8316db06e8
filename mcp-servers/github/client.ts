import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import Bottleneck from "bottleneck";

const ThrottledOctokit = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof ThrottledOctokit>;

export interface ClientOptions {
  /** api.github.com, a GitHub Enterprise Server (`https://host/api/v3`) or the sandbox. */
  baseUrl: string;
  /** The credential the controller's broker handed out for this grant; the factory holds none of its own. */
  token: string;
  /**
   * Pace requests as GitHub asks integrations to (a second between writes, three between requests that
   * notify people, such as invitations) to stay clear of secondary rate limits. The sandbox needs none.
   */
  paced?: boolean;
  /** How many times to wait out a rate limit or a secondary rate limit (Retry-After honoured) before failing. */
  rateLimitRetries?: number;
  /** Milliseconds per second of Retry-After and of the server-error backoff (tests shorten the wait). */
  retryAfterUnitMs?: number;
  /** Called for every HTTP request actually sent, retries included (call counts for plans and benchmarks). */
  onRequest?: (method: string, url: string) => void;
}

/** Every 4xx: an answer, not a transient failure (429 and secondary limits are the throttler's to wait out). */
const CLIENT_ERRORS = Array.from({ length: 100 }, (_, i) => 400 + i);

/** Octokit with GitHub's recommended retry and throttling behaviour, authenticated with one brokered token. */
export function githubClient(options: ClientOptions): GitHubClient {
  const retries = options.rateLimitRetries ?? 3;
  const paced = options.paced ?? true;
  const wait = (_retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
    retryCount < retries;
  return new ThrottledOctokit({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    userAgent: "startup-factory-github-factory",
    log: { debug() {}, info() {}, warn() {}, error() {} },
    // Server errors are retried with backoff; refusals are answers, and rate limits belong to the throttler.
    retry: { doNotRetry: CLIENT_ERRORS, retryAfterBaseValue: options.retryAfterUnitMs ?? 1000 },
    request: {
      fetch: (url: string | URL, init?: RequestInit) => {
        options.onRequest?.(init?.method ?? "GET", String(url));
        return fetch(url, init);
      },
    },
    throttle: {
      onRateLimit: wait,
      onSecondaryRateLimit: wait,
      retryAfterBaseValue: options.retryAfterUnitMs ?? 1000,
      // One limiter per client: a tenant's writes never wait behind another tenant's.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: paced ? 1000 : 0 }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: paced ? 3000 : 0 }),
    },
  });
}
