import type { ServerName } from "../policy/model.ts";
import { AzureDevOpsBroker } from "./azure-devops-broker.ts";
import type { ProviderBroker } from "./broker-types.ts";
import { GitHubBroker } from "./github-broker.ts";
import type { ProviderCredentials } from "./provider-config.ts";

/** One broker per MCP server whose provider has credentials configured; the others get none. */
export function providerBrokers(
  credentials: ProviderCredentials,
): Partial<Record<ServerName, ProviderBroker>> {
  return {
    ...(credentials.github ? { github: new GitHubBroker(credentials.github) } : {}),
    ...(credentials.azureDevOps ? { "azure-devops": new AzureDevOpsBroker(credentials.azureDevOps) } : {}),
  };
}
