import type { Finding, ScannedFile } from "./finding.ts";
import type { ScanningPolicy } from "./policy.ts";

const floor = (range: string) => /(\d+)\.(\d+)\.(\d+)/.exec(range)?.slice(1).map(Number);
const below = (version: number[], limit: number[]) => {
  for (let i = 0; i < 3; i++)
    if ((version[i] ?? 0) !== (limit[i] ?? 0)) return (version[i] ?? 0) < (limit[i] ?? 0);
  return false;
};

/** Every package.json's dependencies against the deny list: a denied name, or a range whose floor is too old. */
export function scanDependencies(files: ScannedFile[], policy: ScanningPolicy): Finding[] {
  const findings: Finding[] = [];
  for (const file of files.filter((f) => f.path === "package.json" || f.path.endsWith("/package.json"))) {
    let manifest: Record<string, unknown>;
    try {
      manifest = JSON.parse(file.text) as Record<string, unknown>;
    } catch {
      findings.push({
        scanner: "dependencies",
        rule: "manifest",
        file: file.path,
        line: 1,
        message: "package.json is not valid JSON",
      });
      continue;
    }
    const lines = file.text.split("\n");
    for (const section of ["dependencies", "devDependencies", "optionalDependencies"]) {
      const deps = (manifest[section] ?? {}) as Record<string, string>;
      for (const [name, range] of Object.entries(deps)) {
        const rule = policy.dependencies.deny.find((d) => d.name === name);
        if (!rule) continue;
        const version = floor(range);
        const limit = rule.below ? floor(rule.below) : undefined;
        if (limit && version && !below(version, limit)) continue;
        const line = lines.findIndex((l) => l.includes(`"${name}"`)) + 1;
        findings.push({
          scanner: "dependencies",
          rule: `deny/${name}`,
          file: file.path,
          line: Math.max(line, 1),
          message: `${name}@${range}${rule.below ? ` is below ${rule.below}` : " is denied"}: ${rule.reason}`,
        });
      }
    }
  }
  return findings;
}
