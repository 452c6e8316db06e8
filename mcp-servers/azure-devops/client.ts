import * as azdev from "azure-devops-node-api";
import type { IRequestHandler } from "azure-devops-node-api/interfaces/common/VsoBaseInterfaces.js";

export interface ClientOptions {
  /** `https://dev.azure.com/<org>`, an Azure DevOps Server collection URL, or the sandbox's `http://host/<org>`. */
  orgUrl: string;
  /** The credential the controller's broker handed out: a PAT, or an Entra bearer token. */
  token: string;
  kind: "pat" | "bearer";
  /** Called for every HTTP request the client library sends (discovery included). */
  onRequest?: () => void;
}

/**
 * The Azure DevOps client library, authenticated with one brokered credential. The auth handler sees every
 * request the library and the area client send, so it is also where requests are counted.
 */
export function azureDevOpsClient(options: ClientOptions): azdev.WebApi {
  const auth =
    options.kind === "pat"
      ? azdev.getPersonalAccessTokenHandler(options.token)
      : azdev.getBearerHandler(options.token);
  const counting: IRequestHandler = {
    prepareRequest: (request) => {
      options.onRequest?.();
      auth.prepareRequest(request);
    },
    canHandleAuthentication: (response) => auth.canHandleAuthentication(response),
    handleAuthentication: (client, info, objs) => auth.handleAuthentication(client, info, objs),
  };
  return new azdev.WebApi(options.orgUrl.replace(/\/+$/, ""), counting);
}

export type AzureDevOpsClient = azdev.WebApi;
