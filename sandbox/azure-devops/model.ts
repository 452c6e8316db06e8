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

export interface Run {
  id: number;
  pipelineId: number;
  name: string;
  refName: string;
  createdDate: string;
  /** When the run finishes; reads after it see it completed. */
  finishAt: string;
  /** Decided when queued: the YAML either describes work or it does not. */
  outcome: "succeeded" | "failed";
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
