import * as azdev from "azure-devops-node-api";

export interface ClientOptions {
  /** `https://dev.azure.com/<org>`, an Azure DevOps Server collection URL, or the sandbox's `http://host/<org>`. */
  orgUrl: string;
  /** The credential the controller's broker handed out: a PAT, or an Entra bearer token. */
  token: string;
  kind: "pat" | "bearer";
}

/** The Azure DevOps client library, authenticated with one brokered credential. */
export function azureDevOpsClient(options: ClientOptions): azdev.WebApi {
  const handler =
    options.kind === "pat"
      ? azdev.getPersonalAccessTokenHandler(options.token)
      : azdev.getBearerHandler(options.token);
  return new azdev.WebApi(options.orgUrl.replace(/\/+$/, ""), handler);
}

export type AzureDevOpsClient = azdev.WebApi;
