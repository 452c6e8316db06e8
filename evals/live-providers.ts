import { loadProviderCredentials } from "../controller/broker/provider-config.ts";
import type { Config } from "../controller/config.ts";

export class LiveProvidersError extends Error {
  override name = "LiveProvidersError";
}

/**
 * How a live world's seeder and graders reach each live provider: as the organisation's owner, with the
 * development token the configuration holds (`GITHUB_TOKEN`, `AZURE_DEVOPS_PAT`), never with a grant's
 * narrowed one. A provider the configuration leaves out stays its sandbox (undefined here).
 */
export async function liveOwners(config: Config): Promise<{
  github?: { apiUrl: string; token: string };
  azureDevOps?: { orgUrl: string; pat: string };
}> {
  const { github, azureDevOps } = await loadProviderCredentials(config.providers);
  if (github && !github.token)
    throw new LiveProvidersError(
      "recording against live GitHub needs GITHUB_TOKEN: a token of an owner of the scenario's organisation, to seed it and read it back",
    );
  if (azureDevOps && !azureDevOps.pat)
    throw new LiveProvidersError(
      "recording against live Azure DevOps needs AZURE_DEVOPS_PAT: a full-access PAT of the organisation, to seed it and read it back",
    );
  return {
    ...(github?.token ? { github: { apiUrl: github.apiUrl, token: github.token.reveal() } } : {}),
    ...(azureDevOps?.pat
      ? { azureDevOps: { orgUrl: azureDevOps.orgUrl, pat: azureDevOps.pat.reveal() } }
      : {}),
  };
}
