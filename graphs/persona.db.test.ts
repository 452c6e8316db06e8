import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import { Command } from "@langchain/langgraph";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelUsage } from "../controller/db/schema.ts";
import { withTenant } from "../controller/db/scope.ts";
import { type AgentWorld, agentWorld } from "../test/support/agents.ts";
import { backends, freshDatabase, type TestDatabase } from "../test/support/backends.ts";

const repo = { owner: "acme", repo: "acme-api" };
const thread = (id: string) => ({ configurable: { thread_id: id } });

/** The tool calls and tool answers of a conversation, compactly: `name` or `name!` for an error. */
const trajectory = (messages: unknown[]) =>
  messages.flatMap((m) => {
    if (ToolMessage.isInstance(m)) return [`${m.name}${m.status === "error" ? "!" : ""}`];
    if (AIMessage.isInstance(m)) return (m.tool_calls ?? []).map((c) => `call ${c.name}`);
    return [];
  });

describe.each(backends)("persona agents on %s", (backend) => {
  let database: TestDatabase;
  let world: AgentWorld;

  beforeAll(async () => {
    database = await freshDatabase(backend);
    world = await agentWorld(database);
    // The founder creates the repository and sec protects main, each through their own grants.
    const founder = await world.equip("founder");
    const sec = await world.equip("sec");
    const call = async (agent: typeof founder, name: string, args: Record<string, unknown>) => {
      const tool = agent.toolbox.tools.find((t) => t.name === name);
      if (!tool) throw new Error(`${agent.persona.name} has no tool ${name}`);
      return tool.invoke(args);
    };
    await call(founder, "github__repos_create_repository", { ...repo, description: "the API" });
    await call(sec, "github__protection_update_branch_protection", {
      ...repo,
      branch: "main",
      requiredReviews: 1,
    });
  });
  afterAll(async () => {
    await world?.close();
    await database?.dispose();
  });

  it("a developer refused a push to main opens a pull request instead", async () => {
    const dev = await world.equip("dev");
    const readme = {
      ...repo,
      path: "docs/ARCHITECTURE.md",
      content: "# How acme-api is built\n",
      message: "docs: architecture",
    };
    const model = fakeModel()
      .respondWithTools([
        { name: "github__contents_create_or_update_file", args: { ...readme, branch: "main" }, id: "c1" },
      ])
      .respondWithTools([
        { name: "github__branches_create_branch", args: { ...repo, branch: "docs/readme" }, id: "c2" },
      ])
      .respondWithTools([
        {
          name: "github__contents_create_or_update_file",
          args: { ...readme, branch: "docs/readme" },
          id: "c3",
        },
      ])
      .respondWithTools([
        {
          name: "github__pulls_create_pull_request",
          args: { ...repo, title: "Add a README", head: "docs/readme", base: "main" },
          id: "c4",
        },
      ])
      .respond(new AIMessage("main is protected, so the README is in pull request #1 for review."));
    const agent = world.agent(dev, model);
    const result = await agent.invoke(
      { messages: [new HumanMessage("Add a README to acme-api.")] },
      thread("dev-1"),
    );

    expect(trajectory(result.messages)).toEqual([
      "call github__contents_create_or_update_file",
      "github__contents_create_or_update_file!",
      "call github__branches_create_branch",
      "github__branches_create_branch",
      "call github__contents_create_or_update_file",
      "github__contents_create_or_update_file",
      "call github__pulls_create_pull_request",
      "github__pulls_create_pull_request",
    ]);
    const refused = result.messages.find((m) => ToolMessage.isInstance(m) && m.status === "error");
    expect(refused?.text).toMatch(
      /409 Repository rule violations found\s+Changes must be made through a pull request/,
    );
    expect(result.messages.at(-1)?.text).toMatch(/pull request #1/);

    // The provider's state: main untouched, the README on the branch, one open pull request.
    const octokit = await world.github.personalToken();
    const headers = { authorization: `token ${octokit}` };
    const onMain = await fetch(
      `${world.github.url}/repos/acme/acme-api/contents/docs/ARCHITECTURE.md?ref=main`,
      { headers },
    );
    expect(onMain.status).toBe(404);
    const pulls = (await (
      await fetch(`${world.github.url}/repos/acme/acme-api/pulls`, { headers })
    ).json()) as {
      title: string;
      head: { ref: string };
    }[];
    expect(pulls.map((p) => [p.title, p.head.ref])).toEqual([["Add a README", "docs/readme"]]);
    // Every model call was checked and metered through the AI server, under the dev agent.
    expect(model.callCount).toBe(5);
    const usage = await withTenant(database.db, "acme", (tx) =>
      tx.select().from(modelUsage).where(eq(modelUsage.agentId, dev.agentId)),
    );
    expect(usage).toHaveLength(5);
    expect(usage.every((u) => u.persona === "dev" && u.model === "replay" && u.inputTokens > 0)).toBe(true);
  });
});
