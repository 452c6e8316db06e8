import { Octokit } from "@octokit/rest";
import * as azdev from "azure-devops-node-api";
import type { Config } from "../controller/config.ts";
import type { RunningAzureDevOpsSandbox } from "../sandbox/azure-devops/embedded.ts";
import type { RunningGitHubSandbox } from "../sandbox/github/embedded.ts";
import { liveOwners } from "./live-providers.ts";

/** The providers as their organisations' owners reach them: the seeder's and the graders' clients. */
export interface OwnerClients {
  octokit: Octokit;
  azureDevOpsApi: azdev.WebApi;
}

// A grader's 404 is an answer, not a warning.
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The owners' clients of a world's providers: a sandbox's owner is made there (an admin of the tenant's
 * organisation, a PAT of its own); a live provider's is the configuration's development token.
 */
export async function ownerClients(
  config: Config,
  tenant: string,
  sandboxes: { github?: RunningGitHubSandbox; azureDevOps?: RunningAzureDevOpsSandbox },
): Promise<OwnerClients> {
  const live = await liveOwners(config);
  const { github, azureDevOps } = sandboxes;
  let octokit: Octokit;
  if (github) {
    await github.world.addUser("eval-seed");
    await github.world.addMember(tenant, "eval-seed", "admin");
    octokit = new Octokit({
      baseUrl: github.url,
      auth: await github.world.personalToken("eval-seed"),
      log: quiet,
    });
  } else if (live.github) {
    octokit = new Octokit({ baseUrl: live.github.apiUrl, auth: live.github.token, log: quiet });
  } else throw new Error("the eval world has no GitHub: neither its sandbox nor a live one");
  let orgUrl: string;
  let pat: string;
  if (azureDevOps) {
    orgUrl = azureDevOps.orgUrl;
    pat = await azureDevOps.world.pat(config.sandbox.adoOrg, "eval-grader");
  } else if (live.azureDevOps) {
    ({ orgUrl, pat } = live.azureDevOps);
  } else throw new Error("the eval world has no Azure DevOps: neither its sandbox nor a live one");
  return { octokit, azureDevOpsApi: new azdev.WebApi(orgUrl, azdev.getPersonalAccessTokenHandler(pat)) };
}
