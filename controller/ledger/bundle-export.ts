import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BUNDLE_FILES, BUNDLE_FORMAT, type BundleCheckpoints, type BundleManifest } from "./bundle-format.ts";
import type { Ledger } from "./ledger.ts";

/**
 * Writes a verifiable bundle to `dir`: a fresh checkpoint is signed first so every exported entry is
 * covered. With `tenant`, only that tenant's entries, each with its inclusion proof.
 */
export async function exportBundle(
  ledger: Ledger,
  dir: string,
  options: { tenant?: string; onProgress?: (written: number) => void } = {},
): Promise<BundleManifest> {
  const final = await ledger.checkpoint();
  const treeSize = final?.treeSize ?? 0;
  const checkpoints = (await ledger.checkpoints()).filter((c) => c.treeSize <= treeSize);
  const prover = treeSize > 0 ? await ledger.prover(treeSize) : undefined;
  // Each earlier checkpoint is proven a prefix of the final one: one tree serves every proof.
  const consistency: BundleCheckpoints["consistency"] = checkpoints
    .filter((c) => c.treeSize < treeSize)
    .map((c) => ({ from: c.treeSize, to: treeSize, proof: prover?.consistency(c.treeSize) ?? [] }));

  await mkdir(dir, { recursive: true });
  const out = createWriteStream(join(dir, BUNDLE_FILES.entries));
  let written = 0;
  const tenant = options.tenant ?? null;
  for await (const entry of ledger.stream({
    untilSeq: treeSize,
    ...(options.tenant ? { tenant: options.tenant } : {}),
  })) {
    const line = tenant && prover ? { ...entry, inclusion: prover.inclusion(entry.seq) } : entry;
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, "drain");
    if (++written % 10_000 === 0) options.onProgress?.(written);
  }
  out.end();
  await once(out, "finish");

  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    createdAt: new Date().toISOString(),
    tenant,
    treeSize,
    entries: written,
  };
  await writeFile(
    join(dir, BUNDLE_FILES.checkpoints),
    `${JSON.stringify({ checkpoints, consistency }, null, 2)}\n`,
  );
  await writeFile(join(dir, BUNDLE_FILES.publicKey), `${JSON.stringify(ledger.publicJwk, null, 2)}\n`);
  await writeFile(join(dir, BUNDLE_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
