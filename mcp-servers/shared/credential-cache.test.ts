import { describe, expect, it } from "vitest";
import { CredentialCache } from "./credential-cache.ts";

describe("the per-credential cache", () => {
  const credential = (id: string, token = `t-${id}`, expiresAt = "2030-01-01T00:00:00Z") => ({
    id,
    token,
    expiresAt,
  });

  it("builds once per credential, again when the token changes", () => {
    const cache = new CredentialCache<object>(8, () => Date.parse("2029-01-01T00:00:00Z"));
    const built: string[] = [];
    const build = (label: string) => () => {
      built.push(label);
      return { label };
    };
    const first = cache.get(credential("a"), build("a1"));
    expect(cache.get(credential("a"), build("a2"))).toBe(first);
    expect(cache.get(credential("a", "rotated"), build("a3"))).not.toBe(first);
    expect(built).toEqual(["a1", "a3"]);
  });

  it("drops expired credentials and keeps at most its limit, least recently used first", () => {
    let now = Date.parse("2029-01-01T00:00:00Z");
    const cache = new CredentialCache<string>(2, () => now);
    cache.get(credential("a"), () => "a");
    cache.get(credential("b", "t-b", "2029-01-01T00:10:00Z"), () => "b");
    cache.get(credential("a"), () => "a again");
    cache.get(credential("c"), () => "c");
    expect(cache.size).toBe(2);
    expect(cache.get(credential("a"), () => "rebuilt")).toBe("a");
    now = Date.parse("2029-01-01T00:20:00Z");
    cache.get(credential("d"), () => "d");
    expect(cache.size).toBe(2);
    expect(cache.get(credential("b", "t-b", "2029-01-01T00:10:00Z"), () => "new b")).toBe("new b");
  });
});
