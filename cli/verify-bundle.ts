import { resolve } from "node:path";
import { BundleFormatError, verifyBundle } from "../controller/ledger/bundle-verify.ts";
import { EXIT } from "./output.ts";

const USAGE = `usage: factory-verify-bundle <bundle dir> [--json]

Verifies a ledger bundle written by \`factory audit export\`, offline and without a database: each entry's
hash, the chain, every checkpoint's Ed25519 signature and Merkle root, and (for a tenant bundle) each
entry's inclusion proof. Exit codes: 0 verified, 1 tampering found, 2 unreadable bundle.`;

/** The standalone verifier: needs nothing but the bundle. */
export async function verifyBundleMain(args: string[]): Promise<number> {
  const json = args.includes("--json");
  const dirs = args.filter((a) => !a.startsWith("--"));
  if (args.includes("--help") || args.includes("-h") || dirs.length !== 1) {
    process.stdout.write(`${USAGE}\n`);
    return args.includes("--help") || args.includes("-h") ? EXIT.ok : EXIT.usage;
  }
  try {
    const report = await verifyBundle(resolve(dirs[0] as string));
    process.stdout.write(
      json
        ? `${JSON.stringify(report, null, 2)}\n`
        : report.ok
          ? `bundle verified: ${report.entries} entries${report.tenant ? ` of tenant ${report.tenant}` : ""}, tree size ${report.treeSize}, ${report.checkpointsVerified} signed checkpoints\n`
          : `BUNDLE TAMPERED (${report.problem?.kind} at ${report.problem?.seq}): ${report.problem?.message}\n`,
    );
    return report.ok ? EXIT.ok : EXIT.failed;
  } catch (error) {
    if (!(error instanceof BundleFormatError)) throw error;
    process.stderr.write(`factory-verify-bundle: ${error.message}\n`);
    return EXIT.usage;
  }
}
