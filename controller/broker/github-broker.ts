import { createPrivateKey, type KeyObject } from "node:crypto";
import { Octokit } from "@octokit/rest";
import { SignJWT } from "jose";
import { globMatches } from "../client/glob.ts";
import type { GrantClaims } from "../grants/claims.ts";
import type { BrokeredToken, ProviderBroker } from "./broker-types.ts";
import { BrokerError } from "./broker-types.ts";
import {
  createsRepositories,
  type GitHubPermissions,
  githubPermissions,
  orgOnly,
  repositoryPatterns,
} from "./github-permissions.ts";
import type { GitHubCredentials } from "./provider-config.ts";

/** GitHub's own cap on repositories named in one installation token request. */
const MAX_REPOSITORIES = 500;
/** How long a listing of the installation's repositories is reused to resolve name patterns. */
const LISTING_TTL_MS = 60_000;

/**
 * Installation access tokens narrowed to a grant: only the permissions its tools need, and only the
 * repositories its scope names or matches (`POST /app/installations/{id}/access_tokens`). A scope that may
 * create repositories cannot list them in advance, so its token keeps the permissions narrowed but not the
 * repository list; the gate still checks every name. Revoked with `DELETE /installation/token`.
 */
export class GitHubBroker implements ProviderBroker {
  readonly provider = "github";
  readonly #config: GitHubCredentials;
  readonly #key: KeyObject | undefined;
  #listing: { at: number; names: string[] } | undefined;

  get endpoint(): string {
    return this.#config.apiUrl;
  }

  constructor(config: GitHubCredentials) {
    this.#config = config;
    this.#key = config.app ? createPrivateKey(config.app.privateKey.reveal()) : undefined;
  }

  #client(auth: string): Octokit {
    return new Octokit({
      auth,
      baseUrl: this.#config.apiUrl,
      userAgent: "startup-factory-broker",
      log: quiet,
    });
  }

  /** A 9-minute RS256 app JWT (GitHub allows at most 10, and the clock may drift by one). */
  async #appJwt(): Promise<string> {
    const app = this.#config.app;
    if (!app || !this.#key) throw new BrokerError("no GitHub App is configured");
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: "RS256" })
      .setIssuer(String(app.id))
      .setIssuedAt(now - 60)
      .setExpirationTime(now + 9 * 60)
      .sign(this.#key);
  }

  async issue(grant: GrantClaims): Promise<BrokeredToken> {
    const expiresAt = new Date(grant.exp * 1000);
    if (!this.#config.app) {
      const token = this.#config.token?.reveal();
      if (!token) throw new BrokerError("no GitHub credential is configured");
      return { token, expiresAt, narrowed: false, detail: { mode: "development token" } };
    }
    const permissions = githubPermissions(grant.scope);
    let request: { repositories?: string[]; permissions: GitHubPermissions };
    if (createsRepositories(grant.scope)) request = { permissions };
    else {
      const repositories = await this.#repositoriesFor(repositoryPatterns(grant.scope));
      if (repositories.length > MAX_REPOSITORIES)
        throw new BrokerError(
          `the grant reaches ${repositories.length} repositories; GitHub narrows a token to at most ${MAX_REPOSITORIES}`,
        );
      request =
        repositories.length > 0 ? { repositories, permissions } : { permissions: orgOnly(permissions) };
    }
    const octokit = this.#client(await this.#appJwt());
    const { data } = await octokit.rest.apps
      .createInstallationAccessToken({ installation_id: this.#config.app.installationId, ...request })
      .catch((error: unknown) => {
        throw new BrokerError("create an installation access token", { cause: error });
      });
    const tokenExpiry = new Date(data.expires_at);
    return {
      token: data.token,
      expiresAt: tokenExpiry < expiresAt ? tokenExpiry : expiresAt,
      narrowed: true,
      detail: {
        permissions: data.permissions ?? request.permissions,
        repositories:
          request.repositories ??
          (createsRepositories(grant.scope) ? "all (the grant creates repositories)" : []),
      },
    };
  }

  async revoke(token: string): Promise<void> {
    if (!this.#config.app) return; // a development token is the operator's own; it is not ours to revoke
    await this.#client(token)
      .rest.apps.revokeInstallationAccessToken()
      .catch((error: unknown) => {
        // Already revoked or expired: GitHub answers 401, and the token is dead either way.
        if ((error as { status?: number }).status === 401) return;
        throw new BrokerError("revoke an installation access token", { cause: error });
      });
  }

  /** Exact names as they are; patterns matched against the installation's repositories. */
  async #repositoriesFor(patterns: string[]): Promise<string[]> {
    const exact = patterns.filter((p) => !p.includes("*"));
    const wild = patterns.filter((p) => p.includes("*"));
    const names = new Set<string>();
    const existing = await this.#installationRepositories();
    for (const name of existing)
      if (exact.includes(name) || wild.some((p) => globMatches(p, name))) names.add(name);
    return [...names].sort();
  }

  async #installationRepositories(): Promise<string[]> {
    if (this.#listing && Date.now() - this.#listing.at < LISTING_TTL_MS) return this.#listing.names;
    const app = this.#config.app;
    if (!app) return [];
    // Listing needs an installation token; a metadata-only one, revoked straight after.
    const { data } = await this.#client(await this.#appJwt())
      .rest.apps.createInstallationAccessToken({
        installation_id: app.installationId,
        permissions: { metadata: "read" },
      })
      .catch((error: unknown) => {
        throw new BrokerError("list the installation's repositories", { cause: error });
      });
    const reader = this.#client(data.token);
    try {
      const repos = await reader.paginate(reader.rest.apps.listReposAccessibleToInstallation, {
        per_page: 100,
      });
      this.#listing = { at: Date.now(), names: repos.map((r) => r.name) };
      return this.#listing.names;
    } finally {
      await this.revoke(data.token);
    }
  }
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
