import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { factoryBin, type RunningFactory, root, run, startFactory } from "../test/support/cli.ts";

describe("factory chat", () => {
  let dir: string;
  let factory: RunningFactory;
  let env: Record<string, string>;
  let bob: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sf-chat-"));
    factory = await startFactory({ FACTORY_DATA_DIR: join(dir, "controller"), FACTORY_PORT: "0" });
    env = {
      FACTORY_URL: factory.url,
      FACTORY_API_KEY: factory.adminKey as string,
      FACTORY_DATA_DIR: join(dir, "cli"),
    };
    const added = await run(
      factoryBin,
      ["operators", "add", "bob", "--role", "platform-admin", "--json"],
      env,
    );
    bob = { ...env, FACTORY_API_KEY: (JSON.parse(added.stdout) as { key: string }).key };
  });
  afterAll(async () => {
    await factory?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses to chat without a model, saying what to set", async () => {
    const result = await run(factoryBin, ["chat", "--tenant", "acme"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/set OPENAI_API_KEY/);
  });

  it("replays a founder session as a JSON event stream, waiting for another operator's approvals", {
    timeout: 150_000,
  }, async () => {
    const child = spawn(
      process.execPath,
      [
        factoryBin,
        "chat",
        "--tenant",
        "acme",
        "--replay",
        join(root, "sessions/first-startup.jsonl"),
        "--json",
      ],
      { env: { PATH: process.env.PATH, ...env }, cwd: root },
    );
    let stdout = "";
    const approved = new Set<string>();
    child.stdout.on("data", async (chunk) => {
      stdout += chunk;
      for (const [, id] of stdout.matchAll(/waiting for approval (apr_[a-z0-9_]+)/g)) {
        if (!id || approved.has(id)) continue;
        approved.add(id);
        await run(factoryBin, ["approvals", "approve", id], bob);
      }
    });
    let stderr = "";
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code, stderr).toBe(0);
    const events = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; phase?: string; persona?: string; summary?: string });
    expect(events.filter((e) => e.type === "phase").map((e) => e.phase)).toEqual([
      "intake",
      "blueprint",
      "plan",
      "approval",
      "provision",
      "report",
    ]);
    expect(events.filter((e) => e.type === "spawned").map((e) => e.persona)).toEqual([
      "dev",
      "sec",
      "finance",
    ]);
    expect(events.at(-1)).toMatchObject({
      type: "report",
      summary: expect.stringMatching(/dev \(agt_[\w-]+\): done, 4 tool calls/),
    });
    expect(approved.size).toBe(2);
  });
});
