/** The GitHub sandbox's documents, as stored (see `../store.ts`). Keys are lowercase: GitHub names are not case-sensitive. */

export type Level = "read" | "write";
export type Permissions = Record<string, Level>;

export interface App {
  id: number;
  slug: string;
  /** SPKI PEM of the App's public key: app JWTs are verified with it. */
  publicKeyPem: string;
}

export interface Installation {
  id: number;
  appId: number;
  org: string;
  /** What the organisation granted the App; tokens can only narrow it. */
  permissions: Permissions;
}

export interface Org {
  id: number;
  login: string;
}

export interface User {
  id: number;
  login: string;
  email?: string;
}

export interface Token {
  /** SHA-256 of the token: the sandbox never stores a token in clear either. */
  hash: string;
  kind: "installation" | "user";
  installationId?: number;
  /** The user a personal token acts as, or the App's bot login. */
  login: string;
  /** Installation tokens act in one organisation; personal tokens in any. */
  org?: string;
  permissions: Permissions;
  /** Lowercase repository names, or null for every repository the token's owner can reach. */
  repositories: string[] | null;
  expiresAt: string;
  revoked: boolean;
}

export interface Repo {
  id: number;
  owner: string;
  name: string;
  description: string | null;
  private: boolean;
  visibility: "public" | "private" | "internal";
  defaultBranch: string;
  archived: boolean;
  isTemplate: boolean;
  hasIssues: boolean;
  hasWiki: boolean;
  hasProjects: boolean;
  allowSquashMerge: boolean;
  allowMergeCommit: boolean;
  allowRebaseMerge: boolean;
  deleteBranchOnMerge: boolean;
  templateRepository: string | null;
  security: {
    vulnerabilityAlerts: boolean;
    automatedSecurityFixes: boolean;
    secretScanning: boolean;
    secretScanningPushProtection: boolean;
  };
  createdAt: string;
  updatedAt: string;
  pushedAt: string | null;
}

export const repoKey = (owner: string, name: string) => `${owner}/${name}`.toLowerCase();
/** Per-repository documents (git objects, refs, protection, …) live under the repository's id. */
export const underRepo = (repo: Repo, rest = "") => `${repo.id}:${rest}`;

export interface Team {
  id: number;
  org: string;
  slug: string;
  name: string;
  description: string | null;
  privacy: "secret" | "closed";
  parentSlug: string | null;
}

export type RepoRole = "pull" | "triage" | "push" | "maintain" | "admin";

export interface TeamMembership {
  login: string;
  role: "member" | "maintainer";
  state: "active" | "pending";
}

export interface Invitation {
  id: number;
  org: string;
  login: string | null;
  email: string | null;
  role: "direct_member" | "admin" | "billing_manager";
  teamSlugs: string[];
  createdAt: string;
}

export const teamKey = (org: string, slug: string) => `${org}/${slug}`.toLowerCase();
export const slugify = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface PullData {
  head: string;
  base: string;
  headSha: string;
  baseSha: string;
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergedBy: string | null;
}

/** Issues and pull requests share one numbering per repository, as on GitHub. */
export interface Issue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  stateReason: "completed" | "not_planned" | null;
  labels: string[];
  assignees: string[];
  author: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  pull: PullData | null;
}

export interface Review {
  id: number;
  author: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED";
  body: string;
  commitId: string;
  submittedAt: string;
}
