import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import { Command } from "@langchain/langgraph";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCheckpointer } from "../agents/checkpoints.ts";
import { openRuntimeStore, type RuntimeStore } from "../agents/runtime-store.ts";
import { loadScanningPolicy } from "../agents/scan/policy.ts";
import { reviewPullRequests } from "../agents/scan/review.ts";
import { modelUsage } from "../controller/db/schema.ts";
import { withTenant } from "../controller/db/scope.ts";
import { createOperator, type Operator } from "../controller/operators/operators.ts";
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
  let bob: Operator;
  let store: RuntimeStore;

  beforeAll(async () => {
    database = await freshDatabase(backend);
    world = await agentWorld(database);
    bob = (await createOperator(database.db, { name: "bob", roles: ["platform-admin"] })).operator;
    store = await openRuntimeStore(
      database.url ? { kind: "postgres", url: database.url } : { kind: "pglite" },
    );
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
    await store?.close();
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

  it("an ops agent waits on a service-connection approval and carries on once it is approved", async () => {
    const ops = await world.equip("ops");
    const project = ops.toolbox.tools.find((t) => t.name === "azure-devops__projects_create_project");
    await project?.invoke({ project: "tenant-acme", description: "Acme" });
    const connection = {
      project: "tenant-acme",
      name: "acme-azure",
      type: "azurerm",
      url: "https://management.azure.com/",
      scheme: "ServicePrincipal",
      parameters: { serviceprincipalid: "app-id", serviceprincipalkey: "sp-secret-value", tenantid: "tid" },
    };
    const model = fakeModel()
      .respondWithTools([
        { name: "azure-devops__service_connections_create_connection", args: connection, id: "s1" },
      ])
      .respond(new AIMessage("The acme-azure service connection is in place."));
    const agent = world.agent(ops, model);
    const first = await agent.invoke(
      { messages: [new HumanMessage("Connect tenant-acme to Azure.")] },
      thread("ops-1"),
    );
    const waiting = (first as { __interrupt__?: { value: unknown }[] }).__interrupt__;
    expect(waiting?.map((i) => i.value)).toEqual([
      {
        type: "approval",
        approvals: [
          {
            approvalId: expect.stringMatching(/^apr_/),
            intentId: expect.stringMatching(/^int_/),
            tool: "azure-devops__service_connections_create_connection",
            policies: expect.arrayContaining(["approval.service-connections"]),
            reasons: expect.any(Array),
          },
        ],
      },
    ]);
    expect(model.callCount).toBe(1);
    const value = waiting?.[0]?.value as { approvals: { approvalId: string }[] } | undefined;
    const request = value?.approvals[0];
    await world.harness.approvals.vote(request?.approvalId as string, bob, "approve");

    const done = await agent.invoke(new Command({ resume: { decided: true } }), thread("ops-1"));
    expect(trajectory(done.messages)).toEqual([
      "call azure-devops__service_connections_create_connection",
      "azure-devops__service_connections_create_connection",
    ]);
    const answer = done.messages.find((m) => ToolMessage.isInstance(m));
    expect(JSON.parse(answer?.text ?? "{}")).toMatchObject({
      status: "done",
      result: { name: "acme-azure" },
    });
    expect(done.messages.at(-1)?.text).toBe("The acme-azure service connection is in place.");
    expect(model.callCount).toBe(2);
  });

  it("a run stopped between steps resumes from its PostgreSQL checkpoint without calling a provider twice", async () => {
    const issue = { ...repo, title: "Set up CI", body: "A workflow for pull requests." };
    const first = await openCheckpointer(store);
    const dev = await world.equip("dev");
    const crashing = fakeModel()
      .respondWithTools([{ name: "github__issues_create_issue", args: issue, id: "i1" }])
      .respond(new Error("the worker died"));
    await expect(
      world
        .agent(dev, crashing, { checkpointer: first })
        .invoke({ messages: [new HumanMessage("File an issue for CI.")] }, thread("dev-crash")),
    ).rejects.toThrow("the worker died");

    // Another process: new connections, new grants for the same persona, the same thread.
    const second = await openCheckpointer(store);
    const again = await world.equip("dev");
    const resumed = fakeModel().respond(new AIMessage("Issue filed."));
    const done = await world
      .agent(again, resumed, { checkpointer: second })
      .invoke(null as never, thread("dev-crash"));
    expect(trajectory(done.messages)).toEqual([
      "call github__issues_create_issue",
      "github__issues_create_issue",
    ]);
    expect(done.messages.at(-1)?.text).toBe("Issue filed.");
    expect(resumed.callCount).toBe(1);
    const token = await world.github.personalToken();
    const issues = (await (
      await fetch(`${world.github.url}/repos/acme/acme-api/issues?state=all`, {
        headers: { authorization: `token ${token}` },
      })
    ).json()) as { title: string }[];
    expect(issues.filter((i) => i.title === "Set up CI")).toHaveLength(1);
  });

  it("a sec agent blocks a pull request that commits a secret, and never repeats the secret", async () => {
    const token = ["ghp", "_", "K9SECRETx".repeat(4)].join("");
    const dev = await world.equip("dev");
    const tool = (name: string) => dev.toolbox.tools.find((t) => t.name === name);
    await tool("github__branches_create_branch")?.invoke({ ...repo, branch: "feat/config" });
    await tool("github__contents_create_or_update_file")?.invoke({
      ...repo,
      branch: "feat/config",
      path: "src/config.js",
      content: `export const github = "${token}";\n`,
      message: "feat: config",
    });
    await tool("github__pulls_create_pull_request")?.invoke({
      ...repo,
      title: "Add config",
      head: "feat/config",
      base: "main",
    });

    const sec = await world.equip("sec");
    const policy = await loadScanningPolicy(new URL("../policies/scanning.yaml", import.meta.url).pathname);
    const reviews = await reviewPullRequests(sec.toolbox.clients.github, [repo], policy);
    const blocked = reviews.find((r) => r.blocking.length > 0);
    expect(blocked).toMatchObject({
      repo: "acme/acme-api",
      blocking: [expect.objectContaining({ scanner: "secretlint", file: "src/config.js", line: 1 })],
      issue: expect.any(Number),
    });

    const headers = { authorization: `token ${await world.github.personalToken()}` };
    const api = (path: string) =>
      fetch(`${world.github.url}/repos/acme/acme-api${path}`, { headers }).then((r) => r.json());
    const verdicts = (await api(`/pulls/${blocked?.number}/reviews`)) as { state: string; body: string }[];
    // One App acts for the whole team, and GitHub refuses changes requested on one's own pull request: the
    // review comments, and the failing check is what blocks the merge.
    expect(verdicts.map((v) => v.state)).toEqual(["COMMENTED"]);
    const pull = (await api(`/pulls/${blocked?.number}`)) as { head: { sha: string } };
    const statuses = (await api(`/commits/${pull.head.sha}/statuses`)) as {
      state: string;
      context: string;
    }[];
    expect(statuses.map((x) => [x.context, x.state])).toEqual([["security/scan", "failure"]]);
    const issue = (await api(`/issues/${blocked?.issue}`)) as { title: string; body: string };
    expect(issue.title).toBe(`Security: fix 1 finding in pull request #${blocked?.number}`);
    expect(issue.body).toMatch(/`src\/config\.js:1` secretlint/);
    for (const text of [issue.body, ...verdicts.map((v) => v.body)]) expect(text).not.toContain(token);
    // Nor is it in the ledger: the write that committed it is recorded with the file's HMAC, not its text.
    const entries = await world.harness.ledger.entries({ tenant: "acme", limit: 1000 });
    const reviewed = entries.filter((e) => JSON.stringify(e.payload).includes("pulls_create_review"));
    expect(reviewed.length).toBeGreaterThan(0);
    expect(entries.filter((e) => JSON.stringify(e.payload).includes("src/config.js")).length).toBeGreaterThan(
      0,
    );
    expect(entries.filter((e) => JSON.stringify(e.payload).includes(token))).toEqual([]);
  });

  it("the kill switch stops a running agent mid-flight: its next call is refused and it runs no further", async () => {
    const dev = await world.equip("dev");
    const model = fakeModel()
      .respondWithTools([
        { name: "github__issues_create_issue", args: { ...repo, title: "First" }, id: "k1" },
      ])
      .respondWithTools([
        { name: "github__issues_create_issue", args: { ...repo, title: "After the kill" }, id: "k2" },
      ])
      .respond(new AIMessage("never reached"));
    const agent = world.agent(dev, model);
    const run = async () => {
      const stream = await agent.stream(
        { messages: [new HumanMessage("File two issues.")] },
        { ...thread("dev-killed"), streamMode: "updates" },
      );
      for await (const update of stream)
        if ("tools" in (update as object))
          // An operator pulls the switch on this agent (and anything it spawned) while it works.
          await world.harness.grants.revoker.revokeAgent("acme", dev.agentId, "operator:bob");
    };
    // Whichever call comes next (the metering of a model turn, or a tool) is refused, and the run stops.
    const stopped = await run().then(
      () => undefined,
      (error: Error) => `${error.message} ${(error.cause as Error | undefined)?.message ?? ""}`,
    );
    expect(stopped).toMatch(/grant_revoked|the grant is expired, revoked or invalid/);
    expect(model.callCount).toBeLessThanOrEqual(2);
    const headers = { authorization: `token ${await world.github.personalToken()}` };
    const issues = (await (
      await fetch(`${world.github.url}/repos/acme/acme-api/issues?state=all`, { headers })
    ).json()) as { title: string }[];
    expect(issues.map((i) => i.title)).toContain("First");
    expect(issues.map((i) => i.title)).not.toContain("After the kill");
  });
});
