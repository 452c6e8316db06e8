import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { scanCode } from "./code.ts";
import { scanDependencies } from "./dependencies.ts";
import { loadScanningPolicy } from "./policy.ts";
import { blocks } from "./review.ts";
import { scanSecrets } from "./secrets.ts";

const policy = await loadScanningPolicy(resolve(import.meta.dirname, "../../policies/scanning.yaml"));
// Assembled at run time, so no scanner of this repository's own mistakes it for a real credential.
const token = ["ghp", "_", "R2D2C3POx".repeat(4)].join("");

describe("the security scans", () => {
  it("finds a committed GitHub token with secretlint, naming file and line, never the token", async () => {
    const findings = await scanSecrets([
      { path: "src/config.js", text: `export const config = {\n  token: "${token}",\n};\n` },
      { path: "README.md", text: "# nothing to see\n" },
    ]);
    expect(findings).toEqual([
      {
        scanner: "secretlint",
        rule: expect.stringMatching(/github/),
        file: "src/config.js",
        line: 2,
        message: expect.not.stringContaining(token),
      },
    ]);
    expect(findings.every((f) => blocks(f, policy))).toBe(true);
  });

  it("finds risky JavaScript and TypeScript with eslint-plugin-security; only policy's rules block", () => {
    const findings = scanCode([
      {
        path: "src/run.ts",
        text: "import { exec } from 'node:child_process';\nconst input: string = process.argv[2] ?? '';\neval(input);\n",
      },
      { path: "src/pick.js", text: "const pick = (o, k) => o[k];\nmodule.exports = pick;\n" },
      { path: "notes.txt", text: "eval(everything)" },
    ]);
    expect(findings.map((f) => [f.file, f.rule, f.line])).toEqual(
      expect.arrayContaining([
        ["src/run.ts", "security/detect-eval-with-expression", 3],
        ["src/pick.js", "security/detect-object-injection", 1],
      ]),
    );
    expect(findings.some((f) => f.file === "notes.txt")).toBe(false);
    const blocking = findings.filter((f) => blocks(f, policy)).map((f) => f.rule);
    expect(blocking).toContain("security/detect-eval-with-expression");
    expect(blocking).not.toContain("security/detect-object-injection");
  });

  it("checks every package.json against the deny list, by name and by version floor", () => {
    const manifest = JSON.stringify(
      { dependencies: { lodash: "^4.17.15", minimist: "^1.2.8", "event-stream": "3.3.6", hono: "4.13.19" } },
      null,
      2,
    );
    const findings = scanDependencies(
      [
        { path: "package.json", text: manifest },
        { path: "web/package.json", text: "{" },
      ],
      policy,
    );
    expect(findings.map((f) => [f.file, f.rule])).toEqual([
      ["package.json", "deny/lodash"],
      ["package.json", "deny/event-stream"],
      ["web/package.json", "manifest"],
    ]);
    expect(findings[0]?.message).toMatch(/lodash@\^4\.17\.15 is below 4\.17\.21: prototype pollution/);
    expect(findings[0]?.line).toBe(3);
  });

  it("refuses a scanning policy that names a rule it cannot be, naming the field", async () => {
    const dir = await mkdtemp(join(tmpdir(), "scanning-"));
    const file = join(dir, "scanning.yaml");
    await writeFile(
      file,
      "block: { secrets: true, eslint_rules: [no-eval], dependencies: true }\ndependencies: { deny: [] }\n",
    );
    await expect(loadScanningPolicy(file)).rejects.toThrow(
      /must be an eslint-plugin-security rule\n {2}→ at block\.eslint_rules\[0\]/,
    );
    await rm(dir, { recursive: true });
  });
});
