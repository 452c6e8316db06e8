import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startFactory } from "../test/support/cli.ts";

const until = async (check: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200)))
    if (check()) return;
  throw new Error("timed out");
};

describe("factory start on a fresh machine", () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("replays the recorded founder session end to end, then only serves", { timeout: 180_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), "sf-demo-"));
    const env = { FACTORY_DATA_DIR: dir, FACTORY_PORT: "0" };
    const first = await startFactory(env, []);
    try {
      await until(() => /ledger (verified|FAILED)/.test(first.stdout()), 150_000);
      const out = first.stdout();
      expect(out).toMatch(/github: blueprint applied \(\d+ changes\)/);
      expect(out).toMatch(/azure-devops: blueprint applied \(\d+ changes\)/);
      expect(out).toMatch(/database: provisioned/);
      expect(out).toMatch(/dev \(agt_[\w-]+\): done, 4 tool calls — Opened a pull request/);
      expect(out).toMatch(/sec \(agt_[\w-]+\): done/);
      expect(out).toMatch(/finance \(agt_[\w-]+\): done/);
      expect(out).toMatch(/ledger verified: \d+ entries/);
    } finally {
      await first.stop();
    }
    const again = await startFactory(env, []);
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect(again.stdout()).not.toMatch(/ledger verified/);
    } finally {
      await again.stop();
    }
  });
});
