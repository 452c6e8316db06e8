/** The Azure DevOps sandbox's documents, as stored (see `../store.ts`). Keys are lowercase. */

export interface Org {
  id: string;
  name: string;
}

/**
 * A credential, stored by SHA-256: a personal access token with `scopes` as Azure DevOps names them
 * (`vso.code_write`, …), or (with `entra`) an Entra access token of a user or a service principal.
 */
export interface Pat {
  hash: string;
  org: string;
  user: string;
  scopes: string[];
  expiresAt: string;
  revoked: boolean;
  /** An Entra bearer token rather than a PAT: whose. The PAT lifecycle API serves only users. */
  entra?: "user" | "servicePrincipal";
  /** A PAT created through the tokens API: its id there, its name and when it became valid. */
  authorizationId?: string;
  displayName?: string;
  validFrom?: string;
}

export interface Project {
  id: string;
  org: string;
  name: string;
  description: string;
  visibility: "private" | "public";
  state: "createPending" | "wellFormed";
  revision: number;
  lastUpdateTime: string;
  /** When a queued creation completes; reads after it see the project well-formed. */
  readyAt: string;
  operationId: string;
}

export interface Operation {
  id: string;
  org: string;
  projectKey: string;
  readyAt: string;
}

export const projectKey = (org: string, name: string) => `${org}/${name}`.toLowerCase();

/** A Git repository in a project; `defaultBranch` is a short name, absent until the first push. */
export interface AdoRepo {
  id: string;
  org: string;
  projectId: string;
  name: string;
  defaultBranch: string;
  initialized: boolean;
}

export const repoKey = (org: string, projectId: string, name: string) =>
  `${org}/${projectId}/${name}`.toLowerCase();

export interface Pipeline {
  id: number;
  projectId: string;
  name: string;
  folder: string;
  repoId: string;
  path: string;
  revision: number;
}

/** Where a project's pipeline is stored, and (with `/`) the prefix of its runs. */
export const pipelineKey = (projectId: string, id: number) => `${projectId}/${String(id).padStart(8, "0")}`;

export interface Run {
  id: number;
  pipelineId: number;
  name: string;
  refName: string;
  /** The commit the run built: the branch's head when it was queued. */
  commitId?: string;
  createdDate: string;
  /** When the run finishes; reads after it see it completed. */
  finishAt: string;
  /** Decided when queued: the YAML either describes work or it does not. */
  outcome: "succeeded" | "failed";
  /** The run's one log, its lines as the YAML's steps print them (see run-log.ts). */
  log?: string[];
}

export interface AgentPool {
  id: number;
  name: string;
  createdOn: string;
}

export interface AgentQueue {
  id: number;
  name: string;
  projectId: string;
  poolId: number;
}

/** A variable group; a secret variable keeps only a SHA-256 of its value, and reads show it as null. */
export interface VariableGroup {
  id: number;
  name: string;
  description: string;
  projectIds: string[];
  variables: Record<string, { value?: string; secretSha256?: string; isSecret: boolean }>;
  createdOn: string;
  modifiedOn: string;
}

/** A work item: its fields by reference name, and its parent (the hierarchy link). */
export interface WorkItem {
  id: number;
  rev: number;
  projectId: string;
  fields: Record<string, string | number>;
  parentId: number | null;
}

/** A service connection; its authorization parameters are kept only as SHA-256 fingerprints. */
export interface ServiceEndpoint {
  id: string;
  name: string;
  type: string;
  url: string;
  scheme: string;
  parameterFingerprints: Record<string, string>;
  projectIds: string[];
  createdBy: string;
}

/**
 * A Graph group: a project's (`projectId`) or the organisation's (null). `sid` is its security identifier;
 * the Graph descriptor is `vssgp.` + base64url(sid), and ACLs name it `Microsoft.TeamFoundation.Identity;<sid>`.
 */
export interface GraphGroup {
  descriptor: string;
  sid: string;
  projectId: string | null;
  displayName: string;
  description: string;
  principalName: string;
  originId: string;
}

/** A user materialised in the organisation's Graph (Azure DevOps' `aad.` subjects). */
export interface GraphUser {
  descriptor: string;
  principalName: string;
  displayName: string;
  originId: string;
}

/** Where a subject's document lives, by its descriptor. */
export interface Subject {
  kind: "group" | "user";
  key: string;
}

/** One membership edge: `member` (a user or group) is in group `container`. */
export interface Membership {
  containerDescriptor: string;
  memberDescriptor: string;
}

/** The access control list on one token of one security namespace: per identity descriptor, allow and deny bits. */
export interface Acl {
  namespaceId: string;
  token: string;
  inheritPermissions: boolean;
  aces: Record<string, { allow: number; deny: number }>;
}

/** A pipeline environment of a project: the deployment target whose checks gate the stages that use it. */
export interface Environment {
  id: number;
  projectId: string;
  name: string;
  description: string;
  createdBy: string;
  createdOn: string;
  lastModifiedBy: string;
  lastModifiedOn: string;
}

/**
 * A check on a pipeline resource (an approval on an environment, …): the check type, the resource it guards,
 * the type's settings as sent, and its timeout in minutes.
 */
export interface CheckConfiguration {
  id: number;
  projectId: string;
  type: { id: string; name: string };
  resource: { type: string; id: string; name: string };
  settings: Record<string, unknown>;
  timeout: number;
  version: number;
  createdBy: string;
  createdOn: string;
  modifiedBy: string;
  modifiedOn: string;
}

/**
 * A branch policy: a policy type's settings (with their `scope`, the repositories and refs it covers), enforced
 * on pushes and pull-request completion while enabled and blocking.
 */
export interface PolicyConfiguration {
  id: number;
  projectId: string;
  typeId: string;
  revision: number;
  isEnabled: boolean;
  isBlocking: boolean;
  settings: Record<string, unknown>;
  createdBy: string;
  createdDate: string;
}

export const policyKey = (projectId: string, id: number) => `${projectId}/${String(id).padStart(8, "0")}`;

/** A reviewer's vote (10 approved, 5 approved with suggestions, 0 none, -5 waiting, -10 rejected). */
export interface ReviewerVote {
  user: string;
  vote: number;
  /** The source branch's head when the vote was cast, so a policy can reset votes on a later push. */
  votedOn: string;
}

export interface PullRequest {
  id: number;
  projectId: string;
  repoId: string;
  title: string;
  description: string;
  sourceRefName: string;
  targetRefName: string;
  status: "active" | "abandoned" | "completed";
  createdBy: string;
  creationDate: string;
  closedDate?: string;
  closedBy?: string;
  reviewers: ReviewerVote[];
  mergeStatus: "notSet" | "succeeded" | "conflicts";
  mergeFailureMessage?: string;
  lastMergeSourceCommit?: string;
  lastMergeTargetCommit?: string;
  lastMergeCommit?: string;
}

export const pullRequestKey = (projectId: string, id: number) =>
  `${projectId}/${String(id).padStart(8, "0")}`;
