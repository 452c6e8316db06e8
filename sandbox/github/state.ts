import type { KeyObject } from "node:crypto";
import { randomBytes } from "node:crypto";

export type Level = "read" | "write";

export interface SandboxRepository {
  id: number;
  name: string;
  owner: string;
}

export interface SandboxInstallation {
  id: number;
  appId: number;
  org: string;
  /** What the organisation granted the app; tokens can only narrow it. */
  permissions: Record<string, Level>;
}

export interface SandboxToken {
  token: string;
  installationId: number;
  permissions: Record<string, Level>;
  /** null: every repository of the installation. */
  repositories: string[] | null;
  expiresAt: Date;
  revoked: boolean;
}

/**
 * The GitHub sandbox's state: apps (by public key), installations in organisations, repositories, and the
 * installation tokens handed out. In memory for now; the GitHub sandbox issue moves it into the database.
 */
export class GitHubSandboxState {
  readonly apps = new Map<number, KeyObject>();
  readonly installations = new Map<number, SandboxInstallation>();
  readonly repositories: SandboxRepository[] = [];
  readonly tokens = new Map<string, SandboxToken>();
  #nextId = 1000;

  addApp(appId: number, publicKey: KeyObject): void {
    this.apps.set(appId, publicKey);
  }

  addInstallation(installation: Omit<SandboxInstallation, "id">): SandboxInstallation {
    const created = { ...installation, id: this.#nextId++ };
    this.installations.set(created.id, created);
    return created;
  }

  addRepository(owner: string, name: string): SandboxRepository {
    const repo = { id: this.#nextId++, owner, name };
    this.repositories.push(repo);
    return repo;
  }

  repositoriesOf(org: string): SandboxRepository[] {
    return this.repositories.filter((r) => r.owner === org);
  }

  issueToken(t: Omit<SandboxToken, "token" | "revoked">): SandboxToken {
    const token = { ...t, token: `ghs_${randomBytes(27).toString("base64url")}`, revoked: false };
    this.tokens.set(token.token, token);
    return token;
  }

  /** A live token, or undefined (unknown, revoked or expired: GitHub answers all three with 401). */
  liveToken(token: string, now = new Date()): SandboxToken | undefined {
    const t = this.tokens.get(token);
    return t && !t.revoked && t.expiresAt > now ? t : undefined;
  }
}
