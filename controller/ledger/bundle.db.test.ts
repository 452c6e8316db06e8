import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { event, testLedger } from "../../test/support/ledger.ts";
import { exportBundle } from "./bundle-export.ts";
import { BUNDLE_FILES } from "./bundle-format.ts";
import { BundleFormatError, verifyBundle } from "./bundle-verify.ts";
import type { Ledger } from "./ledger.ts";

const rewriteLine = async (
  dir: string,
  index: number,
  change: (entry: Record<string, unknown>) => unknown,
) => {
  const path = join(dir, BUNDLE_FILES.entries);
  const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
  lines[index] = JSON.stringify(change(JSON.parse(lines[index] as string)));
  await writeFile(path, `${lines.join("\n")}\n`);
};

describe.each(backends)("exported bundles on %s", (backend) => {
  let database: TestDatabase;
  let ledger: Ledger;
  let work: string;

  beforeAll(async () => {
    database = await freshDatabase(backend);
    ledger = testLedger(database);
    work = await mkdtemp(join(tmpdir(), "sf-bundle-"));
    for (let i = 1; i <= 9; i++) await ledger.append(event(i, i % 3 === 0 ? "globex" : "acme"));
    await ledger.checkpoint();
    for (let i = 10; i <= 14; i++) await ledger.append(event(i, i % 2 ? null : "globex"));
  });
  afterAll(async () => {
    await database.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it("exports the whole ledger and verifies it offline", async () => {
    const dir = join(work, "all");
    const manifest = await exportBundle(ledger, dir);
    expect(manifest).toMatchObject({ tenant: null, treeSize: 14, entries: 14 });
    expect(await verifyBundle(dir)).toEqual({
      ok: true,
      tenant: null,
      entries: 14,
      treeSize: 14,
      checkpointsVerified: 2,
    });
  });

  it("exports one tenant's entries with inclusion proofs", async () => {
    const dir = join(work, "globex");
    const manifest = await exportBundle(ledger, dir, { tenant: "globex" });
    expect(manifest).toMatchObject({ tenant: "globex", treeSize: 14, entries: 6 });
    const lines = (await readFile(join(dir, BUNDLE_FILES.entries), "utf8")).trimEnd().split("\n");
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([3, 6, 9, 10, 12, 14]);
    expect(await verifyBundle(dir)).toMatchObject({ ok: true, tenant: "globex", entries: 6 });
  });

  it("detects an entry modified in a whole-ledger bundle", async () => {
    const dir = join(work, "all");
    await rewriteLine(dir, 4, (e) => ({ ...e, actor: "mallory" }));
    expect((await verifyBundle(dir)).problem).toMatchObject({ kind: "modified", seq: 5 });
  });

  it("detects a forged entry in a tenant bundle, even with a recomputed hash", async () => {
    const dir = join(work, "globex");
    const original = await readFile(join(dir, BUNDLE_FILES.entries), "utf8");
    await rewriteLine(dir, 1, (e) => ({ ...e, payload: { i: 0 } }));
    expect((await verifyBundle(dir)).problem).toMatchObject({ kind: "modified", seq: 6 });
    await writeFile(join(dir, BUNDLE_FILES.entries), original);
    await rewriteLine(dir, 2, (e) => ({ ...e, inclusion: [] }));
    expect((await verifyBundle(dir)).problem).toMatchObject({ kind: "modified", seq: 9 });
  });

  it("detects a checkpoint signed with another key", async () => {
    const dir = join(work, "rekeyed");
    await exportBundle(ledger, dir);
    const other = await exportBundle(testLedger(database), join(work, "other-key"));
    expect(other.treeSize).toBe(14);
    await writeFile(
      join(dir, BUNDLE_FILES.publicKey),
      await readFile(join(work, "other-key", BUNDLE_FILES.publicKey)),
    );
    expect((await verifyBundle(dir)).problem).toMatchObject({ kind: "checkpoint" });
  });

  it("names the file and field of a malformed bundle", async () => {
    const dir = join(work, "broken");
    await exportBundle(ledger, dir);
    await writeFile(join(dir, BUNDLE_FILES.manifest), JSON.stringify({ format: "nope" }));
    await expect(verifyBundle(dir)).rejects.toThrow(BundleFormatError);
    await expect(verifyBundle(dir)).rejects.toThrow(/manifest\.json: .*format/s);
    await rm(join(dir, BUNDLE_FILES.checkpoints));
    await expect(verifyBundle(join(work, "missing"))).rejects.toThrow(/manifest\.json: cannot be read/);
  });
});
