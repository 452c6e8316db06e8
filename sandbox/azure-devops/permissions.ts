import type { Objects } from "../store.ts";
import { AzureDevOpsError } from "./errors.ts";
import { allGroupsOf, findUser, groupsIn, identityDescriptor } from "./identities.ts";
import type { Acl, GraphGroup, Project } from "./model.ts";

/** The security namespaces the sandbox enforces, with Azure DevOps' ids and permission bits. */
export const GIT = "2e9eb7ed-3c0a-47d4-87c1-0ffdd275fd87";
export const BUILD = "33344d9c-fc72-4d6f-aba5-fa317101a7e9";
const GIT_BITS = {
  Read: 2,
  GenericContribute: 4,
  CreateBranch: 16,
  CreateTag: 32,
  ManageNotes: 64,
  PullRequestContribute: 16384,
};
const BUILD_BITS = {
  ViewBuilds: 1,
  EditBuildQuality: 2,
  RetainIndefinitely: 4,
  UpdateBuildInformation: 64,
  QueueBuilds: 128,
  ManageBuildQueue: 256,
  StopBuilds: 512,
  ViewBuildDefinition: 1024,
  EditBuildDefinition: 2048,
};
const sum = (bits: Record<string, number>) => Object.values(bits).reduce((a, b) => a | b, 0);
const ALL = 0x7fffffff;

const aclKey = (org: string, namespaceId: string, token: string) =>
  `${org}/${namespaceId.toLowerCase()}/${token.toLowerCase()}`;

export const getAcl = (objects: Objects, org: string, namespaceId: string, token: string) =>
  objects.get<Acl>("acl", aclKey(org, namespaceId, token));

export const aclsUnder = (objects: Objects, org: string, namespaceId: string, token: string) =>
  objects.list<Acl>("acl", aclKey(org, namespaceId, token));

export const putAcl = (objects: Objects, org: string, acl: Acl) =>
  objects.put<Acl>("acl", aclKey(org, acl.namespaceId, acl.token), acl);

/** The project-level permissions a new project's groups get, as Azure DevOps' defaults. */
export async function grantDefaults(objects: Objects, org: string, project: Project): Promise<void> {
  const groups = new Map((await groupsIn(objects, org, project.id)).map((g) => [g.displayName, g]));
  const ace = (name: string, allow: number) => {
    const g = groups.get(name) as GraphGroup;
    return [identityDescriptor(g.descriptor) as string, { allow, deny: 0 }] as const;
  };
  const contribute = sum(GIT_BITS);
  const viewBuilds = BUILD_BITS.ViewBuilds | BUILD_BITS.ViewBuildDefinition;
  await putAcl(objects, org, {
    namespaceId: GIT,
    token: `repoV2/${project.id}`,
    inheritPermissions: true,
    aces: Object.fromEntries([
      ace("Project Administrators", ALL),
      ace("Build Administrators", contribute),
      ace("Contributors", contribute),
      ace("Readers", GIT_BITS.Read),
    ]),
  });
  await putAcl(objects, org, {
    namespaceId: BUILD,
    token: project.id,
    inheritPermissions: true,
    aces: Object.fromEntries([
      ace("Project Administrators", ALL),
      ace("Build Administrators", ALL),
      ace("Contributors", sum(BUILD_BITS)),
      ace("Readers", viewBuilds),
    ]),
  });
}

/**
 * Does `user` hold `bit` on `tokens` (most specific first)? The most specific token with an explicit entry
 * for any of the user's groups decides; deny wins over allow there, and a token that stops inheritance ends the
 * walk. A caller who is not in the organisation's Graph is its owner (the sandbox's PAT holders by default).
 */
export async function holds(
  objects: Objects,
  org: string,
  user: string,
  namespaceId: string,
  tokens: string[],
  bit: number,
): Promise<boolean> {
  const graphUser = await findUser(objects, org, user);
  if (!graphUser) return true;
  const groups = new Set(
    (await allGroupsOf(objects, org, graphUser.descriptor)).map(identityDescriptor).filter(Boolean),
  );
  for (const token of tokens) {
    const acl = await getAcl(objects, org, namespaceId, token);
    if (!acl) continue;
    const entries = Object.entries(acl.aces).filter(([d]) => groups.has(d));
    if (entries.some(([, e]) => e.deny & bit)) return false;
    if (entries.some(([, e]) => e.allow & bit)) return true;
    if (!acl.inheritPermissions) return false;
  }
  return false;
}

/** Refuses a push to a repository without Git Contribute, in Azure DevOps' words. */
export async function requireContribute(
  objects: Objects,
  org: string,
  user: string,
  project: Project,
  repoId: string,
): Promise<void> {
  const tokens = [`repoV2/${project.id}/${repoId}`, `repoV2/${project.id}`, "repoV2"];
  if (!(await holds(objects, org, user, GIT, tokens, GIT_BITS.GenericContribute)))
    throw new AzureDevOpsError(
      403,
      `TF401027: You need the Git 'GenericContribute' permission to perform this action. Details: identity '${user}', scope 'repository'.`,
      "GitNeedsPermissionException",
    );
}

/** Refuses queueing a pipeline run without Queue builds. */
export async function requireQueueBuilds(
  objects: Objects,
  org: string,
  user: string,
  projectId: string,
  pipelineId: number,
): Promise<void> {
  if (
    !(await holds(
      objects,
      org,
      user,
      BUILD,
      [`${projectId}/${pipelineId}`, projectId],
      BUILD_BITS.QueueBuilds,
    ))
  )
    throw new AzureDevOpsError(
      403,
      `TF215106: Access denied. ${user} needs Queue builds permissions for build pipeline ${pipelineId} in team project ${projectId} to perform the action.`,
      "AccessDeniedException",
    );
}
