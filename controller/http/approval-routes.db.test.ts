import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/support/app.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import type { ApprovalView } from "../approvals/approvals.ts";
import { tenants } from "../db/schema.ts";
import { asPlatform } from "../db/scope.ts";
import { createOperator } from "../operators/operators.ts";

/** A rule that needs two approvers on issue creation, so quorum can be tested on a write the dev persona has. */
const twoApprovers = (text: string) =>
  `${text}
  - id: issue-review
    description: New issues are reviewed by two people (test rule).
    server: github
    tools: [issues_create_*]
    approvers: [platform-admin, security-lead]
    quorum: 2
`;

describe.each(backends)("approvals on %s", (backend) => {
  let database: TestDatabase;
  let harness: TestApp;
  let clock = Date.parse("2026-05-01T09:00:00Z");
  const keys: Record<string, string> = {};
  let devGrant: string;
  let founderAgent: string;
  let devAgent: string;

  const call = (who: string, method: string, path: string, body?: unknown) =>
    harness.app.request(path, {
      method,
      headers: { authorization: `Bearer ${keys[who] ?? who}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const issue = (key: string, title = "Add login") => ({
    tool: "issues_create_issue",
    resource: { kind: "repository", name: "acme-api" },
    idempotencyKey: key,
    arguments: { title },
    plan: { create: [{ kind: "issue", repository: "acme-api", title }] },
  });
  const record = async (body: unknown) => {
    const response = await call(devGrant, "POST", "/intents", body);
    return (await response.json()) as {
      intentId: string;
      decision: string;
      approvalId?: string;
      replayed: boolean;
    };
  };
  const vote = async (who: string, id: string, how: "approve" | "deny", comment?: string) =>
    call(who, "POST", `/approvals/${id}/${how}`, comment ? { comment } : undefined);

  beforeAll(async () => {
    database = await freshDatabase(backend);
    harness = await testApp(database, {
      clock: () => new Date(clock),
      policyEdits: { "approvals.yaml": twoApprovers },
    });
    await asPlatform(database.db, (tx) => tx.insert(tenants).values({ id: "acme", displayName: "Acme" }));
    for (const [name, roles] of [
      ["alice", ["platform-admin"]],
      ["bob", ["platform-admin"]],
      ["carol", ["security-lead"]],
      ["dave", ["security-lead"]],
      ["eve", ["viewer"]],
    ] as const)
      keys[name] = (await createOperator(database.db, { name, roles: [...roles] })).key;
    // alice starts a founder; the founder spawns a dev, whose call will need approval.
    const minted = await call("alice", "POST", "/grants", {
      tenant: "acme",
      persona: "founder",
      audience: "github",
    });
    const founder = (await minted.json()) as { token: string; agentId: string };
    founderAgent = founder.agentId;
    const child = await harness.grants.issuer.exchange({ subjectToken: founder.token, persona: "dev" });
    devGrant = child.token;
    devAgent = child.agentId;
  });
  afterAll(async () => {
    await harness.close();
    await database.dispose();
  });

  it("holds the call with its plan, who asked (up to the person) and the rule, in the ledger first", async () => {
    const held = await record(issue("issue-000001"));
    expect(held).toMatchObject({ decision: "needs-approval", replayed: false });
    const response = await call("bob", "GET", `/approvals/${held.approvalId}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: held.approvalId,
      tenant: "acme",
      status: "pending",
      call: {
        intentId: held.intentId,
        server: "github",
        tool: "issues_create_issue",
        resource: "github:repository:acme-api",
        arguments: { title: "Add login" },
        plan: { create: [{ kind: "issue", repository: "acme-api", title: "Add login" }] },
      },
      requiredBy: {
        rules: ["issue-review"],
        policies: ["approval.issue-review"],
        reasons: [expect.stringMatching(/reviewed by two people/)],
      },
      approverRoles: ["platform-admin", "security-lead"],
      quorum: 2,
      requester: {
        agents: [
          { id: devAgent, persona: "dev" },
          { id: founderAgent, persona: "founder" },
        ],
        startedBy: "operator:alice",
      },
      votes: [],
      createdAt: "2026-05-01T09:00:00.000Z",
      expiresAt: "2026-05-02T09:00:00.000Z",
      resolvedAt: null,
    });
    const actions = (await harness.ledger.entries({ limit: 100 })).map((e) => e.action);
    expect(actions.slice(-2)).toEqual(["intent.recorded", "approval.requested"]);
  });

  it("needs two distinct eligible approvers, none of them the requester's own lineage", async () => {
    const held = await record(issue("issue-000002", "Add signup"));
    const id = held.approvalId as string;
    const own = await vote("alice", id, "approve");
    expect(own.status).toBe(403);
    expect(await own.json()).toMatchObject({ code: "own-lineage" });
    expect(await (await vote("eve", id, "approve")).json()).toMatchObject({ code: "not-eligible" });

    const first = (await (await vote("bob", id, "approve", "looks fine")).json()) as ApprovalView;
    expect(first).toMatchObject({
      status: "pending",
      votes: [{ operator: "bob", vote: "approve", comment: "looks fine" }],
    });
    const twice = await vote("bob", id, "approve");
    expect(twice.status).toBe(409);
    expect(await twice.json()).toMatchObject({ code: "already-voted" });
    expect((await record(issue("issue-000002", "Add signup"))).decision).toBe("needs-approval");

    const second = (await (await vote("carol", id, "approve")).json()) as ApprovalView;
    expect(second.status).toBe("approved");
    // The same call retried, by key or by approval id, now goes through — still one intent.
    expect(await record(issue("issue-000002", "Add signup"))).toMatchObject({
      intentId: held.intentId,
      decision: "allow",
      approvalId: id,
      replayed: true,
    });
    expect(await record({ ...issue("issue-000099", "Add signup"), approvalId: id })).toMatchObject({
      intentId: held.intentId,
      decision: "allow",
    });
    const other = await call(devGrant, "POST", "/intents", {
      ...issue("issue-000098", "Something else"),
      approvalId: id,
    });
    expect(other.status).toBe(409);
    const done = await call(devGrant, "POST", `/intents/${held.intentId}/outcome`, { status: "succeeded" });
    expect(done.status).toBe(200);
    const trail = (await harness.ledger.entries({ limit: 200 }))
      .filter((e) => e.payload.intent === held.intentId || e.payload.approval === id)
      .map((e) => [e.action, e.actor]);
    expect(trail).toEqual([
      ["intent.recorded", devAgent],
      ["approval.requested", devAgent],
      ["approval.voted", "operator:bob"],
      ["approval.approved", "operator:carol"],
      ["intent.completed", devAgent],
    ]);
    expect((await vote("dave", id, "deny")).status).toBe(409); // closed
  });

  it("rejects on any deny, whatever approvals came before", async () => {
    const held = await record(issue("issue-000003", "Drop tables"));
    const id = held.approvalId as string;
    await vote("bob", id, "approve");
    const denied = (await (await vote("dave", id, "deny", "not now")).json()) as ApprovalView;
    expect(denied.status).toBe("denied");
    expect(await record(issue("issue-000003", "Drop tables"))).toMatchObject({ decision: "deny" });
    const completed = await call(devGrant, "POST", `/intents/${held.intentId}/outcome`, {
      status: "succeeded",
    });
    expect(completed.status).toBe(400);
    expect((await vote("carol", id, "approve")).status).toBe(409);
  });

  it("expires an approval nobody settled, denying its call", async () => {
    const held = await record(issue("issue-000004", "Later"));
    const id = held.approvalId as string;
    clock += 24 * 60 * 60_000 + 1;
    const late = await vote("bob", id, "approve");
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ code: "closed", title: expect.stringMatching(/expired/) });
    expect(await record(issue("issue-000004", "Later"))).toMatchObject({ decision: "deny" });
    const listed = (await (await call("bob", "GET", "/approvals?status=expired")).json()) as {
      approvals: ApprovalView[];
    };
    expect(listed.approvals.map((a) => a.id)).toContain(id);
    expect((await harness.ledger.entries({ limit: 300 })).map((e) => e.action)).toContain("approval.expired");
  });

  it("answers unknown and other tenants' approvals with 404, and bad filters with 400", async () => {
    await asPlatform(database.db, (tx) => tx.insert(tenants).values({ id: "globex", displayName: "Globex" }));
    for (const id of ["apr_globex_0123456789abcdef0123456789abcdef", "apr_nope", "x"]) {
      const response = await call("bob", "GET", `/approvals/${id}`);
      expect(response.status).toBe(404);
    }
    const bad = await call("bob", "GET", "/approvals?status=maybe");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errors: [{ field: "query.status" }] });
    expect((await harness.app.request("/approvals")).status).toBe(401);
  });

  it("streams pending approvals and their changes to operators as server-sent events", async () => {
    const controller = new AbortController();
    const response = await harness.app.request("/approvals/stream", {
      headers: { authorization: `Bearer ${keys.bob}` },
      signal: controller.signal,
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    const nextEvent = async (): Promise<ApprovalView> => {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split("\n").find((l) => l.startsWith("data: "));
          if (data) return JSON.parse(data.slice(6)) as ApprovalView;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buffer += decoder.decode(value, { stream: true });
      }
    };
    const held = await record(issue("issue-000005", "Streamed"));
    const seen = await nextEvent();
    expect(seen).toMatchObject({ id: held.approvalId, status: "pending" });
    await vote("dave", held.approvalId as string, "deny");
    expect(await nextEvent()).toMatchObject({ id: held.approvalId, status: "denied" });
    controller.abort();
    await reader.cancel().catch(() => {});
  });
});
