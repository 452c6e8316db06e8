import type { DatabasesFile, ServerName } from "../policy/model.ts";
import { AzureDevOpsBroker } from "./azure-devops-broker.ts";
import type { ProviderBroker } from "./broker-types.ts";
import { DatabaseBroker, type TenantDatabases } from "./database-broker.ts";
import { GitHubBroker } from "./github-broker.ts";
import type { ProviderCredentials } from "./provider-config.ts";

/** One broker per MCP server whose provider has credentials configured; the others get none. */
export function providerBrokers(
  credentials: ProviderCredentials,
  databases?: { target: TenantDatabases; policy: () => DatabasesFile },
): Partial<Record<ServerName, ProviderBroker>> {
  return {
    ...(databases ? { database: new DatabaseBroker(databases.target, databases.policy) } : {}),
    ...(credentials.github ? { github: new GitHubBroker(credentials.github) } : {}),
    ...(credentials.azureDevOps ? { "azure-devops": new AzureDevOpsBroker(credentials.azureDevOps) } : {}),
  };
}
