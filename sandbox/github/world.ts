import { armedFaults, armFault } from "../faults.ts";
import { initialCommit } from "../git.ts";
import type { Objects, SandboxStore } from "../store.ts";
import { issueToken } from "./auth.ts";
import type { App, Installation, Org, Permissions, Repo, User } from "./model.ts";
import { repoKey } from "./model.ts";

/** A new repository document with GitHub's defaults. */
export function newRepo(id: number, owner: string, name: string, fields: Partial<Repo> = {}): Repo {
  const now = new Date().toISOString();
  return {
    id,
    owner,
    name,
    description: null,
    private: true,
    visibility: "private",
    defaultBranch: "main",
    archived: false,
    isTemplate: false,
    hasIssues: true,
    hasWiki: true,
    hasProjects: true,
    allowSquashMerge: true,
    allowMergeCommit: true,
    allowRebaseMerge: true,
    deleteBranchOnMerge: false,
    templateRepository: null,
    security: {
      vulnerabilityAlerts: false,
      automatedSecurityFixes: false,
      secretScanning: false,
      secretScanningPushProtection: false,
    },
    createdAt: now,
    updatedAt: now,
    pushedAt: null,
    ...fields,
  };
}

/**
 * Seeds the sandbox's world: organisations, users, Apps and their installations, repositories, personal
 * tokens. Tests and `factory sandbox` fixtures build the starting state with it.
 */
export class GitHubWorld {
  constructor(readonly store: SandboxStore) {}

  #do<T>(work: (o: Objects) => Promise<T>): Promise<T> {
    return this.store.transaction(work);
  }

  addOrg(login: string): Promise<Org> {
    return this.#do(async (o) => {
      const existing = await o.get<Org>("org", login.toLowerCase());
      return existing ?? o.put("org", login.toLowerCase(), { id: await o.nextId(), login });
    });
  }

  addUser(login: string, email?: string): Promise<User> {
    return this.#do(async (o) => {
      const existing = await o.get<User>("user", login.toLowerCase());
      return (
        existing ??
        o.put("user", login.toLowerCase(), { id: await o.nextId(), login, ...(email ? { email } : {}) })
      );
    });
  }

  /** Makes `login` a member (or admin) of `org`: team memberships become active rather than pending. */
  addMember(org: string, login: string, role: "member" | "admin" = "member"): Promise<void> {
    return this.#do(async (o) => {
      await o.put("org_member", `${org}/${login}`.toLowerCase(), { login, role });
    });
  }

  addApp(id: number, slug: string, publicKeyPem: string): Promise<App> {
    return this.#do((o) => o.put<App>("app", String(id), { id, slug, publicKeyPem }));
  }

  addInstallation(appId: number, org: string, permissions: Permissions): Promise<Installation> {
    return this.#do(async (o) => {
      const installation = { id: await o.nextId(), appId, org, permissions };
      return o.put("installation", String(installation.id), installation);
    });
  }

  /** A repository with an initial commit on its default branch (as `auto_init` makes). */
  addRepository(owner: string, name: string, fields: Partial<Repo> = {}): Promise<Repo> {
    return this.#do(async (o) => {
      const repo = newRepo(await o.nextId(), owner, name, fields);
      if (!(await o.create("repo", repoKey(owner, name), repo))) throw new Error(`${owner}/${name} exists`);
      await initialCommit(o, repo, { "README.md": `# ${name}\n` });
      return repo;
    });
  }

  /** Arms a failure for the next `times` requests to `method path` (e.g. a secondary rate limit, a 500). */
  injectFault(fault: Parameters<typeof armFault>[1]): Promise<void> {
    return armFault(this.store, fault);
  }

  /** The injected faults not yet reached, as `<METHOD> <path> ×<remaining>`. */
  armedFaults(): Promise<string[]> {
    return armedFaults(this.store);
  }

  /** A personal access token acting as `login` everywhere, with every permission (development use). */
  personalToken(login: string, permissions: Permissions = ALL_WRITE): Promise<string> {
    return this.#do((o) =>
      issueToken(o, {
        kind: "user",
        login,
        permissions,
        repositories: null,
        expiresAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
      }),
    );
  }
}

export const ALL_WRITE: Permissions = Object.fromEntries(
  [
    "metadata",
    "administration",
    "contents",
    "workflows",
    "issues",
    "pull_requests",
    "statuses",
    "actions",
    "secrets",
    "actions_variables",
    "environments",
    "vulnerability_alerts",
    "security_events",
    "secret_scanning_alerts",
    "members",
    "organization_administration",
    "organization_secrets",
    "organization_actions_variables",
  ].map((p) => [p, "write" as const]),
);
