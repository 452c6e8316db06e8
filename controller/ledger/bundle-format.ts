import { z } from "zod";
import { Ed25519PublicJwk } from "../ed25519-jwk.ts";
import { SignedCheckpoint } from "./checkpoint.ts";
import { LedgerEntry } from "./entry.ts";

/** Files of an exported ledger bundle, read by the standalone verifier with no database. */
export const BUNDLE_FILES = {
  manifest: "manifest.json",
  entries: "entries.jsonl",
  checkpoints: "checkpoints.json",
  publicKey: "public-key.jwk.json",
} as const;

export const BUNDLE_FORMAT = "startup-factory/ledger-bundle@1";

const HexHash = z.string().regex(/^[0-9a-f]{64}$/);

export const BundleManifest = z.object({
  format: z.literal(BUNDLE_FORMAT),
  createdAt: z.iso.datetime(),
  /** null for the whole ledger; a tenant id for a per-tenant export. */
  tenant: z.string().nullable(),
  treeSize: z.number().int().nonnegative(),
  entries: z.number().int().nonnegative(),
});
export type BundleManifest = z.infer<typeof BundleManifest>;

/** A tenant export carries, per entry, its audit path to the bundle's final checkpoint. */
export const BundleEntry = LedgerEntry.extend({ inclusion: z.array(HexHash).optional() });
export type BundleEntry = z.infer<typeof BundleEntry>;

export const BundleCheckpoints = z.object({
  checkpoints: z.array(SignedCheckpoint),
  /** A consistency proof from each earlier checkpoint to the final one. */
  consistency: z.array(z.object({ from: z.number().int(), to: z.number().int(), proof: z.array(HexHash) })),
});
export type BundleCheckpoints = z.infer<typeof BundleCheckpoints>;

export { Ed25519PublicJwk as BundlePublicKey };
