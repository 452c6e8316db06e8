import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { z } from "zod";

const Version = z.string().regex(/^\d+\.\d+\.\d+$/, "must be a version such as 4.17.21");

/** policies/scanning.yaml: what blocks a pull request. */
export const ScanningPolicy = z.strictObject({
  block: z.strictObject({
    secrets: z.boolean(),
    eslint_rules: z.array(
      z.string().regex(/^security\/[a-zA-Z-]+$/, "must be an eslint-plugin-security rule"),
    ),
    dependencies: z.boolean(),
  }),
  dependencies: z.strictObject({
    deny: z.array(
      z.strictObject({ name: z.string().min(1), below: Version.optional(), reason: z.string().min(1) }),
    ),
  }),
});
export type ScanningPolicy = z.infer<typeof ScanningPolicy>;

export class ScanningPolicyError extends Error {
  override name = "ScanningPolicyError";
}

export async function loadScanningPolicy(file: string): Promise<ScanningPolicy> {
  const parsed = ScanningPolicy.safeParse(parse(await readFile(file, "utf8")));
  if (!parsed.success) throw new ScanningPolicyError(`${file}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
