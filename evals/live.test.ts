import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import * as azdev from "azure-devops-node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cassette } from "../agents/cassette.ts";
import { loadAgentConfig } from "../agents/config.ts";
import { loadPersonas } from "../agents/personas.ts";
import { loadConfig } from "../controller/config.ts";
import { type Database, openDatabase } from "../controller/db/database.ts";
import { toolsets } from "../mcp-servers/catalog.ts";
import { type RunningAzureDevOpsSandbox, startAzureDevOpsSandbox } from "../sandbox/azure-devops/embedded.ts";
import { type RunningGitHubSandbox, startGitHubSandbox } from "../sandbox/github/embedded.ts";
import { cassetteModelServer } from "../test/support/cassette-model-server.ts";
import { liveOwners } from "./live-providers.ts";
import { runScenario } from "./run-scenario.ts";
import { runSuites } from "./run-suites.ts";
import { loadSuites, type Scenario, SUITES_DIR } from "./scenario.ts";
import { migratedTemplate } from "./template.ts";

const only = async (id: string) => (await loadSuites([id]))[0] as Scenario;

/**
 * "Live" providers here are the sandboxes served on their own, apart from any eval world, as a user's real
 * GitHub and Azure DevOps would be: reached only through the provider variables, never through a world.
 */
describe("recording against live providers", { timeout: 120_000 }, () => {
  let keys: string;
  let database: Database;
  let github: RunningGitHubSandbox;
  let azureDevOps: RunningAzureDevOpsSandbox;
  let env: Record<string, string>;
  let template: Awaited<ReturnType<typeof migratedTemplate>>;

  beforeAll(async () => {
    keys = await mkdtemp(join(tmpdir(), "sf-live-"));
    database = await openDatabase({ kind: "pglite" });
    github = await startGitHubSandbox(database, { host: "127.0.0.1", port: 0, keysDir: keys, org: "acme" });
    azureDevOps = await startAzureDevOpsSandbox(database, { host: "127.0.0.1", port: 0, org: "live-org" });
    await github.world.addUser("owner");
    await github.world.addMember("acme", "owner", "admin");
    env = {
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: await github.world.personalToken("owner"),
      AZURE_DEVOPS_ORG_URL: azureDevOps.orgUrl,
      AZURE_DEVOPS_PAT: await azureDevOps.world.pat("live-org", "owner@live.test"),
    };
    template = await migratedTemplate();
  }, 120_000);
  afterAll(async () => {
    await template?.dispose();
    await github?.close();
    await azureDevOps?.close();
    await database?.close();
    await rm(keys, { recursive: true, force: true });
  });

  /** The scenario recorded with a live model (a server replaying its cassette) on the live providers. */
  const recordLive = async (id: string) => {
    const scenario = await only(id);
    const model = await cassetteModelServer(
      await Cassette.load(scenario.cassettePath as string),
      (await loadPersonas(join(SUITES_DIR, "../../personas"), toolsets())).values(),
    );
    try {
      const recorded = await runScenario(scenario, template.dir, 1, {
        record: loadAgentConfig({ OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: model.url }),
        live: env,
      });
      return { scenario, recorded };
    } finally {
      await model.close();
    }
  };

  it("seeds, runs and grades on the live providers, and the recording replays to the same grade offline", async () => {
    const { scenario, recorded } = await recordLive("cross-tenant/azure-devops-repository");
    expect(recorded.error).toBeUndefined();
    expect(recorded.pass).toBe(true);
    // The world was seeded on the live organisation, and the graders read it there.
    const owner = new azdev.WebApi(
      azureDevOps.orgUrl,
      azdev.getPersonalAccessTokenHandler(env.AZURE_DEVOPS_PAT as string),
    );
    const repos = await (await owner.getGitApi()).getRepositories("tenant-globex");
    expect(repos.map((r) => r.name)).toEqual(["globex-api"]);
    expect(recorded.evidence?.azureDevOps.repos).toEqual([
      "tenant-acme/acme-api",
      "tenant-globex/globex-api",
    ]);
    expect(recorded.cassette).toContain('"tool":"azure-devops__repos_create_repository"');
    expect(recorded.cassette).not.toContain(env.AZURE_DEVOPS_PAT);

    // Replayed offline, in a sandbox world of its own: the same grade.
    const offline = { ...scenario, cassettePath: join(keys, "recorded.jsonl") };
    await writeFile(offline.cassettePath, recorded.cassette as string);
    const replayed = await runSuites([offline], { trials: 1, concurrency: 1, template: template.dir });
    expect(replayed.pass).toBe(true);
  });

  it("seeds GitHub as the organisation's owner: the planted issue is on the live repository", async () => {
    const { scenario, recorded } = await recordLive("injection/issue-plants-exfiltration");
    expect(recorded.pass).toBe(true);
    const owner = new Octokit({ baseUrl: github.url, auth: env.GITHUB_TOKEN });
    const issues = await owner.issues.listForRepo({ owner: "acme", repo: "acme-api" });
    expect(issues.data.map((i) => i.title)).toEqual([scenario.world.github.repos[0]?.issues[0]?.title]);
    expect(recorded.cassette).not.toContain(env.GITHUB_TOKEN);
  });

  it("refuses faults on a live provider, and a live provider without its owner's token", async () => {
    const flaky = await runScenario(await only("resilience/flaky-github"), template.dir, 1, {
      retape: true,
      live: { GITHUB_API_URL: env.GITHUB_API_URL as string, GITHUB_TOKEN: env.GITHUB_TOKEN as string },
    });
    expect(flaky.pass).toBe(false);
    expect(flaky.error).toMatch(/world\.faults: github is live; faults are injected only into its sandbox/);
    const app = { GITHUB_APP_ID: "7", GITHUB_APP_INSTALLATION_ID: "9", GITHUB_APP_PRIVATE_KEY: "pem" };
    await expect(liveOwners(loadConfig(app))).rejects.toThrow(/live GitHub needs GITHUB_TOKEN/);
    // Azure DevOps named without a credential is a configuration error, as `factory start` reports it.
    await expect(liveOwners(loadConfig({ AZURE_DEVOPS_ORG_URL: azureDevOps.orgUrl }))).rejects.toThrow(
      /invalid provider credentials: azureDevOps/,
    );
  });
});
