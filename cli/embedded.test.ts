import { spawn } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AzureDevOpsFactory } from "../mcp-servers/azure-devops/factory.ts";
import { GitHubFactory } from "../mcp-servers/github/factory.ts";
import { factoryBin, run, startFactory } from "../test/support/cli.ts";

const post = async (url: string, path: string, token: string, body: unknown = {}) => {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
};

describe("factory start with no provider credentials", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("serves the GitHub sandbox and brokers narrowed tokens for it, across restarts", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "sf-embedded-"));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = { FACTORY_DATA_DIR: dataDir, FACTORY_PORT: "0" };
    const first = await startFactory(env);
    cleanup.push(() => first.stop());
    const sandboxUrl = /GitHub sandbox \(organisation acme\) on (http:\/\/\S+)/.exec(first.stdout())?.[1];
    expect(sandboxUrl).toBeDefined();
    expect((await stat(join(dataDir, "keys", "github-sandbox-app.pem"))).mode & 0o777).toBe(0o600);

    const admin = first.adminKey as string;
    await post(first.url, "/tenants", admin, { id: "acme", displayName: "Acme" });
    const founder = (
      await post(first.url, "/grants", admin, { tenant: "acme", persona: "founder", audience: "github" })
    ).token as string;
    const founderToken = (await post(first.url, "/credentials", founder)).token as string;
    const asFounder = new GitHubFactory({ baseUrl: sandboxUrl as string, token: founderToken, paced: false });
    await asFounder.call("repos_create_repository", { owner: "acme", repo: "acme-app" });
    await asFounder.call("repos_create_repository", { owner: "acme", repo: "acme-infra" });
    expect(await first.stop()).toBe(0);

    // After a restart the same App and installation mint tokens narrowed to the tenant's repositories.
    const second = await startFactory(env);
    cleanup.push(() => second.stop());
    const url = /GitHub sandbox \(organisation acme\) on (http:\/\/\S+)/.exec(second.stdout())?.[1] as string;
    const dev = (
      await post(second.url, "/grants", admin, {
        tenant: "acme",
        persona: "dev",
        audience: "github",
        scope: [{ tools: ["contents_*", "repos_get_*"], resources: ["acme-app"] }],
      })
    ).token as string;
    const credential = await post(second.url, "/credentials", dev);
    expect(credential).toMatchObject({
      provider: "github",
      narrowed: true,
      detail: { repositories: ["acme-app"] },
    });
    const asDev = new GitHubFactory({ baseUrl: url, token: credential.token as string, paced: false });
    expect(
      (
        await asDev.call("contents_get_file", {
          owner: "acme",
          repo: "acme-app",
          path: "README.md",
        })
      ).text,
    ).toBe("# acme-app\n");
    await expect(
      asDev.call("repos_get_repository", { owner: "acme", repo: "acme-infra" }),
    ).rejects.toMatchObject({
      status: 404,
    });

    // Azure DevOps too: the broker hands out the sandbox's development PAT, marked as not narrowed.
    const orgUrl = /Azure DevOps sandbox on (http:\/\/\S+)/.exec(second.stdout())?.[1] as string;
    const ops = (
      await post(second.url, "/grants", admin, { tenant: "acme", persona: "ops", audience: "azure-devops" })
    ).token as string;
    const ado = await post(second.url, "/credentials", ops);
    expect(ado).toMatchObject({ provider: "azure-devops", narrowed: false });
    const asOps = new AzureDevOpsFactory({ orgUrl, token: ado.token as string, kind: "pat" });
    expect(await asOps.call("projects_create_project", { project: "tenant-acme" })).toMatchObject({
      state: "wellFormed",
    });
  });
});

describe("factory sandbox", () => {
  it("serves the GitHub sandbox on its own, with personal tokens for the users it is given", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "sf-sandbox-"));
    const child = spawn(
      process.execPath,
      [factoryBin, "sandbox", "--port", "0", "--ado-port", "0", "--user", "ada", "--json"],
      {
        env: { PATH: process.env.PATH, FACTORY_DATA_DIR: dataDir },
      },
    );
    try {
      let stdout = "";
      const started = await new Promise<{
        url: string;
        org: string;
        azureDevOps: { orgUrl: string };
        users: { login: string; token: string; azureDevOpsPat: string }[];
      }>((resolve, reject) => {
        child.stdout.on("data", (chunk) => {
          stdout += chunk;
          try {
            resolve(JSON.parse(stdout));
          } catch {
            // not all of it yet
          }
        });
        child.once("exit", (code) => reject(new Error(`factory sandbox exited ${code}`)));
      });
      expect(started.org).toBe("acme");
      expect(started.azureDevOps.orgUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/factory-sandbox$/);
      const ada = new GitHubFactory({
        baseUrl: started.url,
        token: started.users[0]?.token as string,
        paced: false,
      });
      const repo = await ada.call("repos_create_repository", {
        owner: "acme",
        repo: "playground",
      });
      expect(repo.fullName).toBe("acme/playground");
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses a bad port or login with exit code 2", async () => {
    const port = await run(factoryBin, ["sandbox", "--port", "http"]);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port http is not a port number/);
    const login = await run(factoryBin, ["sandbox", "--user", "not a login"]);
    expect(login.code).toBe(2);
    expect(login.stderr).toMatch(/not a login is not a GitHub login/);
  });
});
