import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import {
  BUNDLE_FILES,
  BundleCheckpoints,
  BundleEntry,
  BundleManifest,
  BundlePublicKey,
} from "./bundle-format.ts";
import { type Problem, verifyChain } from "./chain.ts";
import { verifyCheckpointSignature } from "./checkpoint.ts";
import { entryHash } from "./entry.ts";
import { verifyConsistency, verifyInclusion } from "./merkle.ts";

/**
 * Verifies an exported ledger bundle offline, with no database: only this module, the chain verifier, the
 * Merkle proofs and the bundle's own public key. A whole-ledger bundle is checked entry by entry against
 * every checkpoint; a tenant bundle is checked entry by entry against the final checkpoint's root.
 */

export interface BundleReport {
  ok: boolean;
  tenant: string | null;
  entries: number;
  treeSize: number;
  checkpointsVerified: number;
  problem?: Problem;
}

/** A bundle whose files are missing or malformed; the message names the file and field. */
export class BundleFormatError extends Error {
  override name = "BundleFormatError";
}

async function readJson<T>(dir: string, file: string, schema: z.ZodType<T>): Promise<T> {
  let text: string;
  try {
    text = await readFile(join(dir, file), "utf8");
  } catch (cause) {
    throw new BundleFormatError(`${file}: cannot be read`, { cause });
  }
  return parseWith(schema, text, file);
}

function parseWith<T>(schema: z.ZodType<T>, text: string, where: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new BundleFormatError(`${where}: not valid JSON`, { cause });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new BundleFormatError(`${where}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export async function verifyBundle(dir: string): Promise<BundleReport> {
  const manifest = await readJson(dir, BUNDLE_FILES.manifest, BundleManifest);
  const publicKey = await readJson(dir, BUNDLE_FILES.publicKey, BundlePublicKey);
  const { checkpoints, consistency } = await readJson(dir, BUNDLE_FILES.checkpoints, BundleCheckpoints);
  const lines = (await readFile(join(dir, BUNDLE_FILES.entries), "utf8"))
    .split("\n")
    .filter((l) => l.length > 0);
  const entries = lines.map((line, i) =>
    parseWith(BundleEntry, line, `${BUNDLE_FILES.entries} line ${i + 1}`),
  );
  const base = { tenant: manifest.tenant, entries: entries.length, treeSize: manifest.treeSize };
  const fail = (problem: Problem, verified = 0): BundleReport => ({
    ok: false,
    ...base,
    checkpointsVerified: verified,
    problem,
  });

  const sorted = [...checkpoints].sort((a, b) => a.treeSize - b.treeSize);
  for (const c of sorted) {
    if (!verifyCheckpointSignature(c, publicKey))
      return fail({
        kind: "checkpoint",
        seq: c.treeSize,
        message: `checkpoint at tree size ${c.treeSize} has a bad signature`,
      });
  }
  const final = sorted.at(-1);
  if (manifest.treeSize > 0 && final?.treeSize !== manifest.treeSize)
    return fail({
      kind: "checkpoint",
      seq: manifest.treeSize,
      message: `no signed checkpoint covers the bundle's ${manifest.treeSize} entries`,
    });
  for (const earlier of sorted.slice(0, -1)) {
    const step = consistency.find((p) => p.from === earlier.treeSize && p.to === final?.treeSize);
    const hex = (h: string) => Buffer.from(h, "hex");
    const ok =
      final &&
      step &&
      verifyConsistency(
        earlier.treeSize,
        final.treeSize,
        step.proof.map(hex),
        hex(earlier.rootHash),
        hex(final.rootHash),
      );
    if (!ok)
      return fail({
        kind: "checkpoint",
        seq: earlier.treeSize,
        message: `the final checkpoint does not extend checkpoint ${earlier.treeSize}`,
      });
  }

  if (manifest.tenant === null) {
    const report = verifyChain(entries, { checkpoints: sorted, publicKey, head: { seq: manifest.treeSize } });
    return { ...base, ...report, entries: entries.length };
  }

  let previousSeq = 0;
  for (const entry of entries) {
    const at = { seq: entry.seq };
    if (entry.tenant !== manifest.tenant)
      return fail({
        kind: "inserted",
        ...at,
        message: `entry ${entry.seq} belongs to ${entry.tenant ?? "the platform"}, not ${manifest.tenant}`,
      });
    if (entry.seq <= previousSeq)
      return fail({
        kind: "reordered",
        ...at,
        message: `entry ${entry.seq} appears after entry ${previousSeq}`,
      });
    if (entryHash(entry) !== entry.hash)
      return fail({
        kind: "modified",
        ...at,
        message: `entry ${entry.seq} was modified: its content no longer matches its hash`,
      });
    const path = (entry.inclusion ?? []).map((h) => Buffer.from(h, "hex"));
    if (
      !final ||
      !verifyInclusion(
        Buffer.from(entry.hash, "hex"),
        entry.seq - 1,
        final.treeSize,
        path,
        Buffer.from(final.rootHash, "hex"),
      )
    )
      return fail({
        kind: "modified",
        ...at,
        message: `entry ${entry.seq} is not in the signed tree of ${final?.treeSize ?? 0} entries`,
      });
    previousSeq = entry.seq;
  }
  return { ok: true, ...base, checkpointsVerified: sorted.length };
}
