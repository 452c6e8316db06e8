import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { factoryBin, type RunningFactory, run, startFactory } from "../test/support/cli.ts";

describe("factory operators and approvals against a running controller", () => {
  let dataDir: string;
  let factory: RunningFactory;
  let adminKey: string;
  let bobKey: string;
  let approvalId: string;
  const as = (key: string) => ({ FACTORY_URL: factory.url, FACTORY_API_KEY: key });
  const api = async (path: string, body: unknown, token: string) => {
    const response = await fetch(`${factory.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return response.json() as Promise<Record<string, unknown>>;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "sf-cli-approvals-"));
    factory = await startFactory({ FACTORY_DATA_DIR: dataDir, FACTORY_PORT: "0" });
    adminKey = factory.adminKey as string;
    // The admin starts an ops agent whose service connection needs one approver other than the admin.
    await api("/tenants", { id: "acme", displayName: "Acme" }, adminKey);
    const grant = await api(
      "/grants",
      { tenant: "acme", persona: "ops", audience: "azure-devops" },
      adminKey,
    );
    const held = await api(
      "/intents",
      {
        tool: "service_connections_create_connection",
        resource: { kind: "service_connection", name: "acme-azure" },
        idempotencyKey: "cli-approval-0001",
        arguments: { subscription: "sub-1", clientSecret: { $sensitive: "s3cret-value-never-shown" } },
        plan: { create: ["service connection acme-azure"] },
      },
      grant.token as string,
    );
    expect(held.decision).toBe("needs-approval");
    approvalId = held.approvalId as string;
  });
  afterAll(async () => {
    await factory.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("adds an operator, showing their key once", async () => {
    const added = await run(
      factoryBin,
      ["operators", "add", "bob", "--role", "platform-admin", "--json"],
      as(adminKey),
    );
    expect(added.code).toBe(0);
    const body = JSON.parse(added.stdout) as { operator: { name: string; roles: string[] }; key: string };
    expect(body.operator).toMatchObject({ name: "bob", roles: ["platform-admin"] });
    bobKey = body.key;
    const again = await run(
      factoryBin,
      ["operators", "add", "bob", "--role", "platform-admin"],
      as(adminKey),
    );
    expect(again).toMatchObject({ code: 1, stderr: expect.stringMatching(/operator bob already exists/) });
    const carol = await run(
      factoryBin,
      ["operators", "add", "carol", "--role", "security-lead", "--json"],
      as(bobKey),
    );
    const carolKey = (JSON.parse(carol.stdout) as { key: string }).key;
    const refused = await run(
      factoryBin,
      ["operators", "add", "mallory", "--role", "platform-admin"],
      as(carolKey),
    );
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/only a platform-admin/) });
  });

  it("lists and shows the pending approval with its plan and who asked", async () => {
    const listed = await run(factoryBin, ["approvals", "list", "--json"], as(bobKey));
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ id: approvalId, status: "pending", quorum: 1 }),
    ]);
    const shown = await run(factoryBin, ["approvals", "show", approvalId], as(bobKey));
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(
      "service_connections_create_connection on azure-devops:service_connection:acme-azure",
    );
    expect(shown.stdout).toMatch(/asked by: {2}ops agt_\S+ ← started by operator:admin/);
    expect(shown.stdout).toContain("service connection acme-azure");
    expect(shown.stdout).not.toContain("s3cret-value-never-shown");
  });

  it("refuses the requester's own approval, then approves with another operator", async () => {
    const own = await run(factoryBin, ["approvals", "approve", approvalId], as(adminKey));
    expect(own).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/admin started the agent that asked/),
    });
    const approved = await run(
      factoryBin,
      ["approvals", "approve", approvalId, "--comment", "checked the subscription", "--json"],
      as(bobKey),
    );
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({
      status: "approved",
      votes: [{ operator: "bob", vote: "approve", comment: "checked the subscription" }],
    });
    const none = await run(factoryBin, ["approvals", "list"], as(bobKey));
    expect(none).toMatchObject({ code: 0, stdout: "no pending approvals\n" });
  });

  it("exits 2 for an unknown approval or a missing key, and 4 when the controller is unreachable", async () => {
    const unknown = await run(factoryBin, ["approvals", "show", "apr_acme_nope"], as(bobKey));
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/no approval apr_acme_nope/) });
    const keyless = await run(factoryBin, ["approvals", "list"], { FACTORY_URL: factory.url });
    expect(keyless).toMatchObject({ code: 2, stderr: expect.stringMatching(/FACTORY_API_KEY/) });
    const away = await run(factoryBin, ["approvals", "list", "--url", "http://127.0.0.1:9"], as(bobKey));
    expect(away).toMatchObject({ code: 4, stderr: expect.stringMatching(/cannot reach the controller/) });
  });
});
