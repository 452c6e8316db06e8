#!/usr/bin/env node
// Standalone ledger bundle verifier: no database, no configuration.
import { register } from "tsx/esm/api";

register();
const { verifyBundleMain } = await import("../cli/verify-bundle.ts");
process.exitCode = await verifyBundleMain(process.argv.slice(2));
