import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataDirBusyError, lockDataDir } from "./data-dir-lock.ts";

describe("the embedded database's lock", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sf-lock-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("admits one holder at a time and frees the directory on release", async () => {
    const release = await lockDataDir(dir);
    expect(await readFile(join(dir, "factory.lock"), "utf8")).toBe(`${process.pid}\n`);
    // Held by the parent process (alive, not us): refused with the holder named.
    await writeFile(join(dir, "factory.lock"), `${process.ppid}\n`);
    await expect(lockDataDir(dir)).rejects.toThrow(DataDirBusyError);
    await expect(lockDataDir(dir)).rejects.toThrow(new RegExp(`in use by process ${process.ppid}`));
    await release();
    const again = await lockDataDir(dir);
    await again();
  });

  it("takes over a lock whose process has died", async () => {
    await writeFile(join(dir, "factory.lock"), "2147483646\n");
    const release = await lockDataDir(dir);
    expect(await readFile(join(dir, "factory.lock"), "utf8")).toBe(`${process.pid}\n`);
    await release();
  });
});
