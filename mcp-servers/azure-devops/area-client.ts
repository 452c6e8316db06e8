import { ClientApiBase } from "azure-devops-node-api/ClientApiBases.js";
import type { AzureDevOpsClient } from "./client.ts";
import { retryAfterUnitOf, throttled } from "./throttling.ts";

/**
 * A REST resource the client library (v17) has no client for — Graph, Security, Tokens, pipeline checks —
 * named the way its generated clients name theirs: the resource area (which host serves it), the area name
 * and location id (which route template), and the api-version.
 */
export interface Resource {
  areaId: string;
  area: string;
  locationId: string;
  version: string;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
interface Call {
  route?: Record<string, string | number | undefined>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** `{count, value}` lists are unwrapped to the array. */
  list?: boolean;
}

const clients = new WeakMap<AzureDevOpsClient, Map<string, Promise<ClientApiBase>>>();

/**
 * The library's own request machinery for an area: the host from resource-area discovery (vssps.dev.azure.com
 * for Graph and Tokens on the cloud, the organisation URL on a server), then the route template from the area's
 * locations. One instance per client and area, so discovery is cached as the library's own clients cache it.
 */
function areaClient(client: AzureDevOpsClient, areaId: string): Promise<ClientApiBase> {
  const byArea = clients.get(client) ?? new Map<string, Promise<ClientApiBase>>();
  clients.set(client, byArea);
  let found = byArea.get(areaId);
  if (!found) {
    // `_getResourceAreaUrl` is how WebApi resolves every area's host; it is private in the typings only.
    const resolve = (
      client as unknown as { _getResourceAreaUrl(url: string, id: string): Promise<string> }
    )._getResourceAreaUrl.bind(client);
    found = resolve(client.serverUrl, areaId).then((url) =>
      throttled(
        new ClientApiBase(url, [client.authHandler], "node-factory-api", client.options),
        retryAfterUnitOf(client),
      ),
    );
    found.catch(() => byArea.delete(areaId));
    byArea.set(areaId, found);
  }
  return found;
}

/**
 * One request to a resource without a library client. Errors surface exactly as the library's own (a 404 is
 * null, other failures are Errors with statusCode and the service's body), so `asAzureDevOpsError` applies.
 */
export async function request<T>(
  client: AzureDevOpsClient,
  resource: Resource,
  method: Method,
  call: Call = {},
): Promise<T | null> {
  const api = await areaClient(client, resource.areaId);
  const { requestUrl, apiVersion } = await api.vsoClient.getVersioningData(
    resource.version,
    resource.area,
    resource.locationId,
    call.route ?? {},
    call.query,
  );
  const url = requestUrl ?? "";
  const options = api.createRequestOptions("application/json", apiVersion);
  const res =
    method === "GET"
      ? await api.rest.get<T>(url, options)
      : method === "DELETE"
        ? await api.rest.del<T>(url, options)
        : method === "POST"
          ? await api.rest.create<T>(url, call.body, options)
          : method === "PUT"
            ? await api.rest.replace<T>(url, call.body, options)
            : await api.rest.update<T>(url, call.body, options);
  return api.formatResponse(res.result, null, call.list ?? false) as T | null;
}
