import { z } from "zod";
import { request } from "../area-client.ts";
import type { AzureDevOpsClient } from "../client.ts";
import { AzureDevOpsFactoryError } from "../errors.ts";
import { aclDescriptor, projectScope, requireGroup } from "../graph.ts";
import { operation } from "../operation.ts";
import { ProjectName } from "./projects.ts";
import { requireRepo } from "./repos.ts";
import { GroupName } from "./security.ts";

/** Security (organisation host, no resource area), at 7.1. */
const security = (locationId: string) => ({ areaId: "", area: "security", locationId, version: "7.1" });
const ACES = security("ac08c8ff-4323-4b08-af90-bcd018d380ce");
const ACLS = security("18a2ad18-7571-46ae-bec7-0c7da1495885");

/** Azure DevOps' security namespaces for repositories and pipelines, with their permission bits. */
const NAMESPACES = {
  repositories: {
    id: "2e9eb7ed-3c0a-47d4-87c1-0ffdd275fd87",
    bits: {
      Read: 2,
      Contribute: 4,
      ForcePush: 8,
      CreateBranch: 16,
      CreateTag: 32,
      ManageNotes: 64,
      PolicyExempt: 128,
      CreateRepository: 256,
      DeleteRepository: 512,
      RenameRepository: 1024,
      EditPolicies: 2048,
      RemoveOthersLocks: 4096,
      ManagePermissions: 8192,
      PullRequestContribute: 16384,
      PullRequestBypassPolicy: 32768,
    },
  },
  pipelines: {
    id: "33344d9c-fc72-4d6f-aba5-fa317101a7e9",
    bits: {
      ViewBuilds: 1,
      EditBuildQuality: 2,
      RetainIndefinitely: 4,
      DeleteBuilds: 8,
      ManageBuildQualities: 16,
      DestroyBuilds: 32,
      UpdateBuildInformation: 64,
      QueueBuilds: 128,
      ManageBuildQueue: 256,
      StopBuilds: 512,
      ViewBuildDefinition: 1024,
      EditBuildDefinition: 2048,
      DeleteBuildDefinition: 4096,
      OverrideBuildCheckInValidation: 8192,
      AdministerBuildPermissions: 16384,
    },
  },
} as const;
type Kind = keyof typeof NAMESPACES;

const target = {
  project: ProjectName,
  group: GroupName,
  on: z.enum(["repositories", "pipelines"]).describe("what the permissions are on"),
  name: z
    .string()
    .min(1)
    .optional()
    .describe("one repository or pipeline by name; omitted, every one in the project"),
};
const Permissions = z.array(z.string()).default([]);

const input = z
  .object({
    ...target,
    allow: Permissions.describe("permissions to allow, e.g. Read, Contribute, QueueBuilds"),
    deny: Permissions.describe("permissions to deny explicitly (deny wins over an inherited allow)"),
  })
  .superRefine((i, ctx) => {
    const known = Object.keys(NAMESPACES[i.on].bits);
    for (const field of ["allow", "deny"] as const)
      i[field].forEach((name, index) => {
        if (!known.includes(name))
          ctx.addIssue({
            code: "custom",
            path: [field, index],
            message: `${name} is not a ${i.on} permission; one of ${known.join(", ")}`,
          });
      });
    const both = i.allow.filter((p) => i.deny.includes(p));
    if (both.length > 0)
      ctx.addIssue({ code: "custom", path: ["deny"], message: `${both.join(", ")} both allowed and denied` });
  });

const bitsOf = (kind: Kind, names: string[]) =>
  names.reduce((sum, n) => sum | ((NAMESPACES[kind].bits as Record<string, number>)[n] ?? 0), 0);
const namesOf = (kind: Kind, bits: number) =>
  Object.entries(NAMESPACES[kind].bits)
    .filter(([, bit]) => bits & bit)
    .map(([name]) => name);

/**
 * The security token for the target: `repoV2/<project>[/<repo>]` for Git; `<project>[/<folder>]/<pipeline>`
 * for pipelines (builds). A named target that does not exist is the operation's 404.
 */
async function tokenOf(
  client: AzureDevOpsClient,
  projectId: string,
  i: { project: string; on: Kind; name?: string | undefined },
  op: string,
  resource: string,
): Promise<string> {
  if (i.on === "repositories") {
    if (!i.name) return `repoV2/${projectId}`;
    const repo = await requireRepo(client, i.project, i.name, op, resource);
    return `repoV2/${projectId}/${repo.id}`;
  }
  if (!i.name) return projectId;
  const pipeline = (await (await client.getPipelinesApi()).listPipelines(i.project)).find(
    (p) => p.name?.toLowerCase() === i.name?.toLowerCase(),
  );
  if (!pipeline?.id)
    throw new AzureDevOpsFactoryError(
      op,
      resource,
      404,
      `pipeline ${i.name} does not exist`,
      "PipelineNotFoundException",
    );
  const folder = (pipeline.folder ?? "\\").replace(/\\/g, "/").replace(/^\/|\/$/g, "");
  return `${projectId}${folder ? `/${folder}` : ""}/${pipeline.id}`;
}

interface Ace {
  descriptor: string;
  allow: number;
  deny: number;
}

/** The group's explicit entry on the token (not what it inherits). */
async function entryOn(client: AzureDevOpsClient, kind: Kind, token: string, descriptor: string) {
  const acls =
    (await request<{ acesDictionary: Record<string, Ace> }[]>(client, ACLS, "GET", {
      route: { securityNamespaceId: NAMESPACES[kind].id },
      query: { token, descriptors: descriptor, includeExtendedInfo: false, recurse: false },
      list: true,
    })) ?? [];
  const entry = acls[0]?.acesDictionary[descriptor];
  return { allow: entry?.allow ?? 0, deny: entry?.deny ?? 0 };
}

const resourceOf = (i: { project: string; group: string; on: string; name?: string | undefined }) =>
  `${i.project}/${i.on}/${i.name ?? "*"}/permissions/${i.group}`;

/** The security token of the target and the ACL descriptor of the group, each a typed 404 when missing. */
async function aclTarget(
  client: AzureDevOpsClient,
  i: { project: string; group: string; on: Kind; name?: string | undefined },
  op: string,
) {
  const scope = await projectScope(client, i.project, op, resourceOf(i));
  const group = await requireGroup(client, scope.scopeDescriptor, i.group, op, resourceOf(i));
  const token = await tokenOf(client, scope.id, i, op, resourceOf(i));
  return { token, descriptor: aclDescriptor(group.descriptor) };
}

export const permissionOperations = {
  security_set_permissions: operation({
    name: "security_set_permissions",
    summary:
      "Allow or deny a project group permissions on the project's repositories or pipelines (all, or one by name); merges with what it has",
    write: true,
    input,
    resource: resourceOf,
    run: async (client, i) => {
      const { token, descriptor } = await aclTarget(client, i, "security_set_permissions");
      const before = await entryOn(client, i.on, token, descriptor);
      const allow = bitsOf(i.on, i.allow);
      const deny = bitsOf(i.on, i.deny);
      const after = { allow: (before.allow & ~deny) | allow, deny: (before.deny & ~allow) | deny };
      const changed = after.allow !== before.allow || after.deny !== before.deny;
      if (changed)
        await request(client, ACES, "POST", {
          route: { securityNamespaceId: NAMESPACES[i.on].id },
          body: { token, merge: true, accessControlEntries: [{ descriptor, allow, deny, extendedInfo: {} }] },
        });
      return { token, changed, allow: namesOf(i.on, after.allow), deny: namesOf(i.on, after.deny) };
    },
  }),

  security_get_permissions: operation({
    name: "security_get_permissions",
    summary:
      "A project group's explicit permissions on the project's repositories or pipelines (all, or one by name)",
    write: false,
    input: z.object(target),
    resource: resourceOf,
    run: async (client, i) => {
      const { token, descriptor } = await aclTarget(client, i, "security_get_permissions");
      const entry = await entryOn(client, i.on, token, descriptor);
      return { token, allow: namesOf(i.on, entry.allow), deny: namesOf(i.on, entry.deny) };
    },
  }),
};
