import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const importsOf = (file: string): string[] =>
  [...readFileSync(file, "utf8").matchAll(/^\s*(?:import|export)[^"']*?from\s+["']([^"']+)["']/gm)].map(
    (m) => m[1] as string,
  );

function sources(dir: string): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => join(root, dir, f));
}

/** Every module reachable from `file` through relative imports, plus the packages they import. */
function closure(file: string, seen = new Set<string>(), packages = new Set<string>()) {
  if (seen.has(file)) return { files: seen, packages };
  seen.add(file);
  for (const spec of importsOf(file)) {
    if (spec.startsWith(".")) closure(resolve(dirname(file), spec), seen, packages);
    else packages.add(spec);
  }
  return { files: seen, packages };
}

describe("the rooms of the architecture", () => {
  it("keep the controller free of the CLI, benchmarks and test code", () => {
    const offenders = sources("controller").flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith("."))
        .map((spec) => relative(root, resolve(dirname(file), spec)))
        .filter((target) => !target.startsWith("controller/"))
        .map((target) => `${relative(root, file)} -> ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  /** Relative imports of a room's sources that leave the room, except into the allowed folders. */
  const leaving = (room: string, allowed: string[]) =>
    sources(room).flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith("."))
        .map((spec) => relative(root, resolve(dirname(file), spec)))
        .filter((target) => ![`${room}/`, ...allowed].some((prefix) => target.startsWith(prefix)))
        .map((target) => `${relative(root, file)} -> ${target}`),
    );

  it("keep the sandboxes apart from the controller: they emulate providers and share nothing but storage", () => {
    expect(leaving("sandbox", ["controller/db/"])).toEqual([]);
  });

  it("keep the MCP servers out of the controller's internals", () => {
    expect(leaving("mcp-servers", ["controller/client/"])).toEqual([]);
  });

  it("keep the agent runtime on the MCP servers and the controller's client", () => {
    expect(leaving("agents", ["mcp-servers/", "controller/client/"])).toEqual([]);
  });

  it("build the graphs on the agent runtime alone", () => {
    expect(leaving("graphs", ["agents/", "controller/client/"])).toEqual([]);
  });

  it("let the standalone bundle verifier run without a database", () => {
    const { files, packages } = closure(join(root, "cli/verify-bundle.ts"));
    const reached = [...files].map((f) => relative(root, f));
    expect(reached.filter((f) => f.startsWith("controller/db/") || f.endsWith("ledger.ts"))).toEqual([]);
    expect([...packages].filter((p) => /drizzle|pglite|postgres|hono/.test(p))).toEqual([]);
  });
});
