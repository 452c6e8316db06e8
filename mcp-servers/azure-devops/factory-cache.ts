import type { CredentialView } from "../../controller/client/views.ts";
import type { CredentialCache } from "../shared/credential-cache.ts";
import { AzureDevOpsFactory } from "./factory.ts";

/** A service principal's credential is its Entra bearer token; every other mode hands out a PAT. */
export const tokenKind = (credential: CredentialView): "pat" | "bearer" =>
  credential.detail.mode === "service principal" ? "bearer" : "pat";

/**
 * The factory for a brokered credential, one per credential: a grant's calls share the client library's
 * area discovery instead of repeating it on every call.
 */
export function factoryFor(
  cache: CredentialCache<AzureDevOpsFactory>,
  credential: CredentialView,
  retryAfterUnitMs?: number,
) {
  return cache.get(
    credential,
    () =>
      new AzureDevOpsFactory({
        orgUrl: credential.endpoint,
        token: credential.token,
        kind: tokenKind(credential),
        ...(retryAfterUnitMs ? { retryAfterUnitMs } : {}),
      }),
  );
}
