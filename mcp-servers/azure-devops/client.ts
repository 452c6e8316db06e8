import * as azdev from "azure-devops-node-api";
import type { IRequestHandler } from "azure-devops-node-api/interfaces/common/VsoBaseInterfaces.js";
import { retryAfterUnitOf, throttled } from "./throttling.ts";

export interface ClientOptions {
  /** `https://dev.azure.com/<org>`, an Azure DevOps Server collection URL, or the sandbox's `http://host/<org>`. */
  orgUrl: string;
  /** The credential the controller's broker handed out: a PAT, or an Entra bearer token. */
  token: string;
  kind: "pat" | "bearer";
  /** Called for every HTTP request the client library sends (discovery included). */
  onRequest?: (method: string) => void;
  /** How many milliseconds one second of a throttled request's Retry-After lasts (1000; an eval world hurries). */
  retryAfterUnitMs?: number;
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
      options.onRequest?.(request.method ?? "GET");
      auth.prepareRequest(request);
    },
    canHandleAuthentication: (response) => auth.canHandleAuthentication(response),
    handleAuthentication: (client, info, objs) => auth.handleAuthentication(client, info, objs),
  };
  // Reads (GET, HEAD, OPTIONS, DELETE) are retried on 502, 503 and 504 and on dropped connections, with a short
  // exponential backoff; writes never are, since a POST may have been applied before the error. A throttled
  // request (429) is sent again after its Retry-After, a write included: it was not run.
  return sharingAreaClients(
    throttled(
      new azdev.WebApi(options.orgUrl.replace(/\/+$/, ""), counting, { allowRetries: true, maxRetries: 3 }),
      options.retryAfterUnitMs,
    ),
  );
}

const GETTERS = [
  "getBuildApi",
  "getCoreApi",
  "getGitApi",
  "getPipelinesApi",
  "getPolicyApi",
  "getServiceEndpointApi",
  "getTaskAgentApi",
  "getWorkItemTrackingApi",
] as const;

/**
 * Each `getXxxApi()` builds a new client whose location cache starts empty, so every operation would send
 * its area's OPTIONS discovery again. One client per area per WebApi keeps that to once per factory.
 */
function sharingAreaClients(api: azdev.WebApi): azdev.WebApi {
  for (const name of GETTERS) {
    const unthrottled = api[name].bind(api) as (url?: string) => Promise<object>;
    const build = (url?: string) =>
      unthrottled(url).then((client) => throttled(client, retryAfterUnitOf(api)));
    let shared: Promise<unknown> | undefined;
    (api as unknown as Record<string, unknown>)[name] = (url?: string) => {
      if (url) return build(url);
      shared ??= build().catch((error: unknown) => {
        shared = undefined;
        throw error;
      });
      return shared;
    };
  }
  return api;
}

export type AzureDevOpsClient = azdev.WebApi;
