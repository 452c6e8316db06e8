import { describe, expect, it } from "vitest";
import { retryAfterSeconds } from "./throttling.ts";

describe("Azure DevOps's Retry-After", () => {
  it("reads seconds or an HTTP date, waits a second when it is missing or unreadable, and a minute at most", () => {
    const now = Date.parse("2026-12-05T12:00:00Z");
    expect(retryAfterSeconds("7", now)).toBe(7);
    expect(retryAfterSeconds(["3", "9"], now)).toBe(3);
    expect(retryAfterSeconds("Sat, 05 Dec 2026 12:00:30 GMT", now)).toBe(30);
    expect(retryAfterSeconds("Sat, 05 Dec 2026 11:59:00 GMT", now)).toBe(0);
    expect(retryAfterSeconds(undefined, now)).toBe(1);
    expect(retryAfterSeconds("soon", now)).toBe(1);
    expect(retryAfterSeconds("3600", now)).toBe(60);
  });
});
