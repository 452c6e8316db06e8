import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { factoryBin, root, run, startFactory, verifierBin } from "../test/support/cli.ts";

describe("factory start and audit", () => {
  let dataDir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "sf-cli-"));
    env = { FACTORY_DATA_DIR: dataDir, FACTORY_PORT: "0" };
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("starts the controller on PGlite, serves it, and stops cleanly", async () => {
    const factory = await startFactory(env);
    const { url } = factory;
    expect(factory.stdout()).toContain(`PGlite at ${join(dataDir, "pglite")}`);
    expect(factory.adminKey).toMatch(/^sfk_/);
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: "ok" });
    expect(await (await fetch(`${url}/ready`)).json()).toEqual({ status: "ready", database: "pglite" });
    expect(await (await fetch(`${url}/ledger/head`)).json()).toMatchObject({ seq: 1 });
    const missing = await fetch(`${url}/no-such-route`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    const concurrent = await run(factoryBin, ["audit", "verify"], env);
    expect(concurrent).toMatchObject({ code: 2, stderr: expect.stringMatching(/in use by process \d+/) });
    expect(await factory.stop()).toBe(0);
  });

  it("verifies the ledger it left, exports it, and the standalone verifier agrees", async () => {
    const verified = await run(factoryBin, ["audit", "verify", "--json"], env);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toEqual({ ok: true, entries: 2, checkpointsVerified: 1 });

    const out = join(dataDir, "bundle");
    const exported = await run(factoryBin, ["audit", "export", "--out", out, "--json"], env);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ tenant: null, treeSize: 2, entries: 2, dir: out });
    const offline = await run(verifierBin, [out]);
    expect(offline).toMatchObject({ code: 0, stdout: expect.stringMatching(/^bundle verified: 2 entries/) });

    const path = join(out, "entries.jsonl");
    await writeFile(path, (await readFile(path, "utf8")).replace("controller.started", "controller.stopped"));
    const tampered = await run(verifierBin, [out, "--json"]);
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.stdout).problem).toMatchObject({ kind: "modified", seq: 1 });
  });

  it("reports overdue intents per tenant, and refuses a malformed tenant id", async () => {
    const none = await run(factoryBin, ["audit", "overdue", "--tenant", "acme", "--json"], env);
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual({ tenant: "acme", overdue: [] });
    const bad = await run(factoryBin, ["audit", "overdue", "--tenant", "ACME"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--tenant "ACME" must be 2-31 lowercase letters/);
  });

  it("refuses a bad configuration naming the field, with exit code 2", async () => {
    const result = await run(factoryBin, ["audit", "verify"], { ...env, FACTORY_PORT: "seven" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/FACTORY_PORT/);
  });
});

describe("factory policy", () => {
  const explain = (...args: string[]) =>
    run(factoryBin, ["policy", "explain", "--tenant", "acme", "--json", ...args]);

  it("explains allow, deny and needs-approval with exit codes 0, 1 and 3", async () => {
    const allow = await explain(
      "--persona",
      "dev",
      "--tool",
      "contents_commit_files",
      "--resource",
      "github:repository:acme-api",
    );
    expect(allow.code).toBe(0);
    expect(JSON.parse(allow.stdout)).toMatchObject({ effect: "allow", policies: ["role.github.dev.scope0"] });

    const deny = await explain(
      "--persona",
      "dev",
      "--tool",
      "orgs_set_membership",
      "--resource",
      "github:org:acme",
    );
    expect(deny.code).toBe(1);
    expect(JSON.parse(deny.stdout)).toMatchObject({ effect: "deny", policies: ["default-deny"] });

    const wait = await explain(
      "--persona",
      "ops",
      "--tool",
      "service_connections_create_connection",
      "--resource",
      "azure-devops:service_connection:acme-azure",
    );
    expect(wait.code).toBe(3);
    expect(JSON.parse(wait.stdout)).toMatchObject({ effect: "needs-approval", approval: { quorum: 1 } });

    const quota = await run(factoryBin, [
      "policy",
      "explain",
      "--tenant",
      "acme",
      "--persona",
      "founder",
      "--tool",
      "repos_create_repository",
      "--resource",
      "github:repository:acme-web",
      "--usage",
      "repos=25",
    ]);
    expect(quota).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^DENY\n {2}quota\.repos: tenant quota: at most 25 repos/),
    });
  });

  it("rejects malformed input naming the field, with exit code 2", async () => {
    const badResource = await explain("--persona", "dev", "--tool", "x_get_y", "--resource", "acme-api");
    expect(badResource).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--resource "acme-api" must look like server:kind:name/),
    });
    const badTenant = await run(factoryBin, [
      "policy",
      "explain",
      "--tenant",
      "ACME",
      "--persona",
      "dev",
      "--tool",
      "x_get_y",
      "--resource",
      "github:repository:acme-api",
    ]);
    expect(badTenant).toMatchObject({ code: 2, stderr: expect.stringMatching(/principal\.tenant/) });
  });

  it("checks the policies and reports each problem with file and line", async () => {
    const ok = await run(factoryBin, ["policy", "check", "--json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      cedarFiles: ["guardrails.cedar"],
      personas: ["dev", "finance", "founder", "ops", "sec"],
    });
    const broken = await run(factoryBin, ["policy", "check", "--dir", join(root, "controller")]);
    expect(broken).toMatchObject({ code: 2, stderr: expect.stringMatching(/limits\.yaml: is missing/) });
    const noPersonas = await run(factoryBin, ["policy", "check", "--personas", join(root, "policies")]);
    expect(noPersonas).toMatchObject({ code: 2, stderr: expect.stringMatching(/founder\.md: is missing/) });
  });

  it("explains itself with --help", async () => {
    const help = await run(factoryBin, ["policy", "explain", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/May persona X in tenant Y call tool Z on resource R/);
    expect(help.stdout).toMatch(/Exit codes: 0 allow, 1 deny, 3 needs approval/);
  });
});
