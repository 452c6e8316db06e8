import { lintSource } from "@secretlint/core";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import type { Finding, ScannedFile } from "./finding.ts";

/** Secretlint's recommended rules (cloud keys, tokens, private keys, basic auth in URLs, …), secrets masked. */
export async function scanSecrets(files: ScannedFile[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const file of files) {
    const result = await lintSource({
      source: {
        filePath: file.path,
        content: file.text,
        ext: file.path.slice(file.path.lastIndexOf(".")),
        contentType: "text",
      },
      options: {
        config: { rules: [{ id: recommended.meta.id, rule: recommended }] },
        maskSecrets: true,
        noPhysicFilePath: true,
      },
    });
    for (const m of result.messages)
      findings.push({
        scanner: "secretlint",
        rule: m.ruleId,
        file: file.path,
        line: m.loc.start.line,
        // The masked message: secretlint replaces the value with asterisks.
        message: m.message,
      });
  }
  return findings;
}
