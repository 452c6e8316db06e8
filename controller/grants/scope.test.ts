import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { globMatches } from "../client/glob.ts";
import { bindTenant, globCovers, scopeAllows, scopeCovers, uncovered } from "./scope.ts";
import { GrantKeyRing } from "./signing-keys.ts";

describe("grant scopes", () => {
  it("matches tools and resources by glob", () => {
    expect(globMatches("repos_get_*", "repos_get_repository")).toBe(true);
    expect(globMatches("repos_get_*", "repos_create_repository")).toBe(false);
    expect(globMatches("acme-*", "acme-api")).toBe(true);
    expect(globMatches("acme-*", "acmecorp-api")).toBe(false);
    expect(globMatches("tenant-acme", "tenant-acme")).toBe(true);
    expect(globMatches("a.b", "axb")).toBe(false); // `.` is literal
  });

  it("only calls a pattern covered when every name the inner one matches, the outer one matches too", () => {
    const names = fc.stringMatching(/^[ab_-]{0,6}$/);
    const patterns = fc.stringMatching(/^[ab*_-]{0,5}$/);
    fc.assert(
      fc.property(patterns, patterns, fc.array(names, { maxLength: 20 }), (outer, inner, samples) => {
        if (!globCovers(outer, inner)) return;
        for (const name of samples) if (globMatches(inner, name)) expect(globMatches(outer, name)).toBe(true);
      }),
    );
    expect(globCovers("repos_*", "repos_get_*")).toBe(true);
    expect(globCovers("repos_get_*", "repos_*")).toBe(false);
  });

  it("binds {tenant} and checks one scope inside another, naming what sticks out", () => {
    const template = bindTenant(
      [{ tools: ["contents_*", "pulls_create_*"], resources: ["{tenant}-*"] }],
      "acme",
    );
    expect(template).toEqual([{ tools: ["contents_*", "pulls_create_*"], resources: ["acme-*"] }]);
    expect(scopeCovers(template, [{ tools: ["contents_commit_files"], resources: ["acme-api"] }])).toBe(true);
    const wider = [
      { tools: ["contents_*", "protection_set_branch_protection"], resources: ["acme-api", "globex-api"] },
    ];
    expect(scopeCovers(template, wider)).toBe(false);
    expect(uncovered(template, wider)).toEqual([
      "contents_* on globex-api",
      "protection_set_branch_protection on acme-api",
      "protection_set_branch_protection on globex-api",
    ]);
    expect(scopeAllows(template, "pulls_create_pull_request", "acme-web")).toBe(true);
    expect(scopeAllows(template, "pulls_merge_pull_request", "acme-web")).toBe(false);
  });
});

describe("the grant key ring on disk", () => {
  it("creates 0600 keys in a 0700 directory and reloads the same ring", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sf-ring-"));
    try {
      const ring = await GrantKeyRing.open(join(dir, "grants"), 3600);
      const first = ring.current.kid;
      const second = await ring.rotate();
      expect((await stat(join(dir, "grants"))).mode & 0o777).toBe(0o700);
      expect((await stat(join(dir, "grants", `${second}.pem`))).mode & 0o777).toBe(0o600);
      const reloaded = await GrantKeyRing.open(join(dir, "grants"), 3600);
      expect(reloaded.current.kid).toBe(second);
      expect(reloaded.jwks().keys.map((k) => k.kid)).toEqual([first, second]);
      expect(JSON.stringify(reloaded.jwks())).not.toMatch(/"d":/); // no private part is ever published
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
