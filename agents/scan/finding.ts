/** One thing a scan found in a changed file; never the secret itself, only where and which rule. */
export interface Finding {
  scanner: "secretlint" | "eslint-plugin-security" | "dependencies";
  rule: string;
  file: string;
  line: number;
  message: string;
}

/** A changed file as the scanners read it. */
export interface ScannedFile {
  path: string;
  text: string;
}
