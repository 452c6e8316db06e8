import { execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  factoryBin,
  type RunningFactory,
  root,
  run,
  startFactory,
  verifierBin,
} from "../test/support/cli.ts";

const blueprint = `tenant: acme
name: Acme Analytics
product: dashboards for small shops
github:
  org: acme
  repos:
    - name: acme-api
      description: the API
      files:
        - path: package.json
          content: '{ "name": "acme-api" }'
      protection: { branch: main, requiredReviews: 1 }
  teams: []
azureDevOps:
  project: tenant-acme
  description: Acme Analytics
team:
  - persona: sec
    task: Turn on the security settings.
  - persona: finance
    task: Report the budgets.
`;

describe("factory tenants apply", () => {
  let dir: string;
  let factory: RunningFactory;
  let env: Record<string, string>;
  let bob: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sf-tenants-"));
    factory = await startFactory({ FACTORY_DATA_DIR: join(dir, "controller"), FACTORY_PORT: "0" });
    env = {
      FACTORY_URL: factory.url,
      FACTORY_API_KEY: factory.adminKey as string,
      FACTORY_DATA_DIR: join(dir, "cli"),
    };
    await writeFile(join(dir, "acme.yaml"), blueprint);
    // Whoever starts an agent may not approve its requests: another operator decides.
    const added = await run(
      factoryBin,
      ["operators", "add", "bob", "--role", "platform-admin", "--json"],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
    bob = { ...env, FACTORY_API_KEY: (JSON.parse(added.stdout) as { key: string }).key };
  });
  afterAll(async () => {
    await factory?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("builds a tenant from a blueprint once an operator approves, and reports what was built", {
    timeout: 150_000,
  }, async () => {
    const child = spawn(
      process.execPath,
      [factoryBin, "tenants", "apply", join(dir, "acme.yaml"), "--json", "--poll", "0.2"],
      {
        env: { PATH: process.env.PATH, ...env },
        cwd: root,
      },
    );
    let stdout = "";
    let stderr = "";
    const approved = new Set<string>();
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", async (c) => {
      stderr += c;
      for (const [, id] of stderr.matchAll(/waiting for approval (apr_\S+)/g)) {
        if (!id || approved.has(id)) continue;
        approved.add(id);
        const vote = await run(factoryBin, ["approvals", "approve", id, "--comment", "looks right"], bob);
        expect(vote.code, vote.stderr).toBe(0);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code, `${stderr}\n${stdout}`).toBe(0);
    expect(approved.size).toBe(2);
    const result = JSON.parse(stdout) as {
      applies: { server: string; status: string }[];
      team: { persona: string; status: string }[];
      summary: string;
    };
    expect(result.applies.map((a) => [a.server, a.status])).toEqual([
      ["github", "done"],
      ["azure-devops", "done"],
    ]);
    expect(result.team.map((m) => [m.persona, m.status])).toEqual([
      ["sec", "done"],
      ["finance", "done"],
    ]);
    expect(result.summary).toMatch(/^Acme Analytics \(tenant acme\)/);
    for (const phase of ["[plan]", "[approval]", "[provision]", "[report]"]) expect(stderr).toContain(phase);
    expect(stderr).toMatch(/spawned sec \(agt_/);
    // The tenant's ledger, exported from the running controller, verifies offline.
    const bundle = await fetch(`${factory.url}/ledger/export?tenant=acme`, {
      headers: { authorization: `Bearer ${env.FACTORY_API_KEY}` },
    });
    expect(bundle.status).toBe(200);
    await mkdir(join(dir, "bundle"));
    await writeFile(join(dir, "bundle.tar"), Buffer.from(await bundle.arrayBuffer()));
    execFileSync("tar", ["-xf", join(dir, "bundle.tar"), "-C", join(dir, "bundle")]);
    const verified = await run(verifierBin, [join(dir, "bundle"), "--json"]);
    expect(verified.code, verified.stdout).toBe(0);
  });

  it("names the field a bad blueprint gets wrong, exit 2, and builds nothing", async () => {
    await writeFile(join(dir, "bad.yaml"), "tenant: Acme!\nname: x\nteam: [{ persona: cfo, task: count }]\n");
    const result = await run(factoryBin, ["tenants", "apply", join(dir, "bad.yaml")], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/→ at tenant/);
    expect(result.stderr).toMatch(/→ at team\[0\]\.persona/);
    expect(result.stdout).toBe("");
  });

  it("explains itself", async () => {
    const help = await run(factoryBin, ["tenants", "apply", "--help"]);
    expect(help.stdout).toMatch(/Run the startup lifecycle from a blueprint file, deterministically/);
    expect(help.stdout).toMatch(/Exit codes: 0 built, 1 an apply was denied/);
  });
});
