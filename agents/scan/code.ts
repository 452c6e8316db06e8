import tsParser from "@typescript-eslint/parser";
import { Linter, type Linter as LinterTypes } from "eslint";
// @ts-expect-error eslint-plugin-security ships no type declarations
import security from "eslint-plugin-security";
import type { Finding, ScannedFile } from "./finding.ts";

const plugin = security as { configs: { recommended: { rules: LinterTypes.RulesRecord } } };
const rules = plugin.configs.recommended.rules;
const CONFIG: LinterTypes.Config[] = [
  { files: ["**/*.js", "**/*.mjs", "**/*.cjs", "**/*.jsx"], plugins: { security }, rules },
  {
    files: ["**/*.ts", "**/*.mts", "**/*.cts", "**/*.tsx"],
    languageOptions: { parser: tsParser as LinterTypes.Parser },
    plugins: { security },
    rules,
  },
];
const CODE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/** eslint-plugin-security's recommended rules over the JavaScript and TypeScript files. */
export function scanCode(files: ScannedFile[]): Finding[] {
  const linter = new Linter({ configType: "flat" });
  return files
    .filter((f) => CODE.test(f.path))
    .flatMap((file) =>
      linter.verify(file.text, CONFIG, { filename: file.path }).map(
        (m): Finding => ({
          scanner: "eslint-plugin-security",
          rule: m.ruleId ?? "parse-error",
          file: file.path,
          line: m.line,
          message: m.message,
        }),
      ),
    );
}
