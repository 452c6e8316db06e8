import { BrokerError } from "./broker-types.ts";

/**
 * Azure DevOps' PAT lifecycle API (`_apis/tokens/pats`), called with plain fetch: the controller does not
 * depend on the factories, and the documented URL is all it needs. It answers only an Entra user's token.
 */
const API_VERSION = "7.1-preview.1";

/** Where the tokens API lives: vssps beside dev.azure.com and visualstudio.com, the organisation URL elsewhere (the sandbox). */
export function vsspsUrlOf(orgUrl: string): string {
  const url = new URL(orgUrl.replace(/\/+$/, ""));
  if (url.hostname === "dev.azure.com") url.hostname = "vssps.dev.azure.com";
  else if (url.hostname.endsWith(".visualstudio.com") && !url.hostname.includes(".vssps."))
    url.hostname = url.hostname.replace(/\.visualstudio\.com$/, ".vssps.visualstudio.com");
  return url.toString().replace(/\/+$/, "");
}

export interface CreatedPat {
  token: string;
  authorizationId: string;
  validTo: Date;
  scopes: string[];
}

/** The service's reason, never a token: its message, or the `patTokenError` of a refused creation. */
async function reason(response: Response): Promise<string> {
  const body = (await response.json().catch(() => ({}))) as { message?: string; patTokenError?: string };
  return `${response.status} ${body.patTokenError ?? body.message ?? ""}`.trim();
}

const headers = (bearer: string) => ({
  authorization: `Bearer ${bearer}`,
  accept: "application/json",
  "content-type": "application/json",
  "x-tfs-fedauthredirect": "Suppress",
});

/** Creates a PAT for the user whose Entra token `bearer` is, limited to `scopes`, valid until `validTo`. */
export async function createPat(
  vsspsUrl: string,
  bearer: string,
  request: { displayName: string; scopes: string[]; validTo: Date },
): Promise<CreatedPat> {
  const response = await fetch(`${vsspsUrl}/_apis/tokens/pats?api-version=${API_VERSION}`, {
    method: "POST",
    headers: headers(bearer),
    body: JSON.stringify({
      displayName: request.displayName,
      scope: request.scopes.join(" "),
      validTo: request.validTo.toISOString(),
      allOrgs: false,
    }),
  }).catch((cause: unknown) => {
    throw new BrokerError("create a personal access token", { cause });
  });
  if (!response.ok) throw new BrokerError(`create a personal access token: ${await reason(response)}`);
  const body = (await response.json()) as {
    patToken?: { token?: string; authorizationId?: string; validTo?: string; scope?: string } | null;
    patTokenError?: string;
  };
  const pat = body.patToken;
  if (!pat?.token || !pat.authorizationId || (body.patTokenError ?? "none") !== "none")
    throw new BrokerError(
      `create a personal access token: ${body.patTokenError ?? "no token in the answer"}`,
    );
  return {
    token: pat.token,
    authorizationId: pat.authorizationId,
    validTo: new Date(pat.validTo ?? request.validTo),
    scopes: (pat.scope ?? request.scopes.join(" ")).split(" ").filter(Boolean),
  };
}

/** Revokes a PAT by its authorization id; one already gone (404) counts as revoked. */
export async function revokePat(vsspsUrl: string, bearer: string, authorizationId: string): Promise<void> {
  const query = new URLSearchParams({ authorizationId, "api-version": API_VERSION });
  const response = await fetch(`${vsspsUrl}/_apis/tokens/pats?${query}`, {
    method: "DELETE",
    headers: headers(bearer),
  }).catch((cause: unknown) => {
    throw new BrokerError("revoke a personal access token", { cause });
  });
  if (!response.ok && response.status !== 404)
    throw new BrokerError(`revoke a personal access token: ${await reason(response)}`);
}
