import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cassette } from "../agents/cassette.ts";
import { loadPersonas } from "../agents/personas.ts";
import { toolsets } from "../mcp-servers/catalog.ts";
import { cassetteModelServer } from "../test/support/cassette-model-server.ts";
import { factoryBin, root, run, startFactory } from "../test/support/cli.ts";
import { FIRST_STARTUP } from "./demo.ts";

const until = async (check: () => boolean, ms: number, what: string) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200)))
    if (check()) return;
  throw new Error(`timed out waiting for ${what}`);
};

describe("factory start with a model configured", () => {
  let dir: string;
  let cassette: Cassette;
  let model: Awaited<ReturnType<typeof cassetteModelServer>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sf-live-"));
    cassette = await Cassette.load(FIRST_STARTUP);
    // An OpenAI-compatible server on loopback that answers as the recorded model did.
    model = await cassetteModelServer(
      cassette,
      (await loadPersonas(join(root, "personas"), toolsets())).values(),
    );
  });
  afterAll(async () => {
    await model?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("chats live with the founder on the terminal: words streamed, approvals left to another operator", {
    timeout: 180_000,
  }, async () => {
    const factory = await startFactory(
      { FACTORY_DATA_DIR: dir, FACTORY_PORT: "0", OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: model.url },
      [],
    );
    try {
      const env = {
        FACTORY_URL: factory.url,
        FACTORY_API_KEY: factory.adminKey as string,
        FACTORY_DATA_DIR: dir,
      };
      const added = await run(
        factoryBin,
        ["operators", "add", "bob", "--role", "platform-admin", "--json"],
        env,
      );
      const bob = { ...env, FACTORY_API_KEY: (JSON.parse(added.stdout) as { key: string }).key };

      await until(() => factory.stderr().includes("What are we building?"), 60_000, "the founder's question");
      factory.child.stdin?.write(`${cassette.session?.idea}\n`);
      const approved = new Set<string>();
      await until(
        () => {
          for (const [, id] of factory.stderr().matchAll(/waiting for approval (apr_[a-z0-9_]+)/g))
            if (id && !approved.has(id)) {
              approved.add(id);
              void run(factoryBin, ["approvals", "approve", id], bob);
            }
          if (/^chat: /m.test(factory.stderr())) throw new Error("the chat failed");
          return /finance \(agt_[\w-]+\): done/.test(factory.stderr());
        },
        150_000,
        "the report",
      ).catch((error: Error) => {
        throw new Error(`${error.message}; stderr:\n${factory.stderr().slice(-3000)}`);
      });
      const stderr = factory.stderr();
      expect(approved.size).toBe(2);
      expect(stderr).toMatch(/github: blueprint applied \(\d+ changes\)/);
      expect(stderr).toMatch(/dev \(agt_[\w-]+\): done, 4 tool calls/);
      // Every model call went to the server, streamed, as the personas' own models.
      expect(new Set(model.served.map((s) => s.persona))).toEqual(
        new Set(["founder", "dev", "sec", "finance"]),
      );
      expect(model.served.every((s) => s.stream)).toBe(true);
      expect(model.served.find((s) => s.persona === "founder")?.model).toBe("gpt-4.1-mini"); // personas/founder.md
      // The founder's words arrive streamed, shown once, on one line.
      const said = cassette
        .for("founder")
        .findLast((t) => t.response.content)
        ?.response.content.trim() as string;
      expect(stderr.split(`founder> ${said}`)).toHaveLength(2);
    } finally {
      await factory.stop();
    }
  });
});
