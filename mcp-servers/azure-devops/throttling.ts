import { setTimeout as sleep } from "node:timers/promises";

/** The part of typed-rest-client's HttpClient that every client of the library sends its requests through. */
interface Requester {
  request(
    verb: string,
    url: string,
    data: unknown,
    headers: unknown,
  ): Promise<{
    message: { statusCode?: number; headers: Record<string, string | string[] | undefined> };
    readBody(): Promise<string>;
  }>;
}

/** How many times a throttled request is sent again, and the longest Retry-After honoured. */
const RETRIES = 3;
const LONGEST_WAIT_S = 60;

/** Seconds to wait from a Retry-After header (seconds or an HTTP date); one second when it is missing. */
export function retryAfterSeconds(header: string | string[] | undefined, now = Date.now()): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === "") return 1;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : (Date.parse(value) - now) / 1000;
  return Number.isFinite(seconds) ? Math.min(Math.max(seconds, 0), LONGEST_WAIT_S) : 1;
}

/**
 * Azure DevOps answers a throttled caller 429 with Retry-After, and a throttled request was not run, so it is
 * safe to send again, a write included (unlike a 503, which the library retries for reads only). The client
 * library does not, so every HttpClient it makes is wrapped: wait as told (`unitMs` a second), at most three
 * times. A request whose body is a stream is not sent again: the stream was read.
 */
export function honourRetryAfter(http: Requester, unitMs = 1000): void {
  const send = http.request.bind(http);
  http.request = async (verb, url, data, headers) => {
    for (let retry = 0; ; retry++) {
      const response = await send(verb, url, data, headers);
      const resendable = data === null || data === undefined || typeof data === "string";
      if (response.message.statusCode !== 429 || retry >= RETRIES || !resendable) return response;
      await response.readBody();
      await sleep(retryAfterSeconds(response.message.headers["retry-after"]) * unitMs);
    }
  };
}

const wrapped = new WeakSet<object>();
const units = new WeakMap<object, number>();

/** The Retry-After unit a client was throttled with: the clients made from it (areas) keep it. */
export const retryAfterUnitOf = (client: object) => units.get(client);

/**
 * A library client (WebApi, an area's API client) with every HttpClient it holds (`http`, and its
 * RestClient's `client`) honouring Retry-After; each HttpClient is wrapped once however often it is met.
 */
export function throttled<T extends object>(client: T, unitMs?: number): T {
  if (unitMs !== undefined) units.set(client, unitMs);
  const held = client as { http?: Requester; rest?: { client?: Requester } };
  for (const http of [held.http, held.rest?.client])
    if (http && !wrapped.has(http)) {
      wrapped.add(http);
      honourRetryAfter(http, unitMs);
    }
  return client;
}
