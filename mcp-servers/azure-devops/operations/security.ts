import { z } from "zod";
import { request } from "../area-client.ts";
import type { AzureDevOpsClient } from "../client.ts";
import { GRAPH, type GraphSubject, groupsInScope, projectScope, requireGroup } from "../graph.ts";
import { operation } from "../operation.ts";
import { ProjectName } from "./projects.ts";

export const GroupName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\\/:*?"<>;|[\]+=,@]+$/, 'must not contain \\ / : * ? " < > ; | [ ] + = , @')
  .describe("a project group's name, e.g. Contributors or Reporting");
const Member = z
  .string()
  .min(1)
  .max(256)
  .describe("a user's principal name (ada@example.com), or the name of another group in the project");
const isUser = (member: string) => member.includes("@");

/** The member's Graph descriptor: a user is materialised from the directory; a group must exist in the project. */
async function memberDescriptor(
  client: AzureDevOpsClient,
  scopeDescriptor: string,
  member: string,
  op: string,
  resource: string,
): Promise<string> {
  if (!isUser(member)) return (await requireGroup(client, scopeDescriptor, member, op, resource)).descriptor;
  const user = await request<GraphSubject>(client, GRAPH.users, "POST", { body: { principalName: member } });
  return user?.descriptor ?? "";
}

const membershipInput = z.object({ project: ProjectName, group: GroupName, member: Member });

export const securityOperations = {
  security_list_groups: operation({
    name: "security_list_groups",
    summary: "List a project's security groups (Project Administrators, Contributors, Readers, and its own)",
    write: false,
    input: z.object({ project: ProjectName }),
    resource: (i) => `${i.project}/groups`,
    run: async (client, i) => {
      const scope = await projectScope(client, i.project, "security_list_groups", `${i.project}/groups`);
      return (await groupsInScope(client, scope.scopeDescriptor)).map((g) => ({
        name: g.displayName,
        descriptor: g.descriptor,
        description: g.description ?? "",
      }));
    },
  }),

  security_create_group: operation({
    name: "security_create_group",
    summary:
      "Create a security group in a project (e.g. a reporting group); one that exists is returned as is",
    write: true,
    input: z.object({
      project: ProjectName,
      name: GroupName,
      description: z.string().max(1000).default("").describe("what the group is for"),
    }),
    resource: (i) => `${i.project}/groups/${i.name}`,
    run: async (client, i) => {
      const scope = await projectScope(
        client,
        i.project,
        "security_create_group",
        `${i.project}/groups/${i.name}`,
      );
      const existing = (await groupsInScope(client, scope.scopeDescriptor)).find(
        (g) => g.displayName.toLowerCase() === i.name.toLowerCase(),
      );
      if (existing) return { name: existing.displayName, descriptor: existing.descriptor, created: false };
      const group = await request<GraphSubject>(client, GRAPH.groups, "POST", {
        query: { scopeDescriptor: scope.scopeDescriptor },
        body: { displayName: i.name, description: i.description },
      });
      return { name: group?.displayName ?? i.name, descriptor: group?.descriptor ?? "", created: true };
    },
  }),

  security_add_member: operation({
    name: "security_add_member",
    summary: "Add a user (by principal name) or another project group to a project group; idempotent",
    write: true,
    input: membershipInput,
    resource: (i) => `${i.project}/groups/${i.group}/members/${i.member}`,
    run: async (client, i) => {
      const resource = `${i.project}/groups/${i.group}/members/${i.member}`;
      const scope = await projectScope(client, i.project, "security_add_member", resource);
      const group = await requireGroup(
        client,
        scope.scopeDescriptor,
        i.group,
        "security_add_member",
        resource,
      );
      const member = await memberDescriptor(
        client,
        scope.scopeDescriptor,
        i.member,
        "security_add_member",
        resource,
      );
      const route = { subjectDescriptor: member, containerDescriptor: group.descriptor };
      if (await request(client, GRAPH.membership, "GET", { route })) return { added: false };
      await request(client, GRAPH.membership, "PUT", { route });
      return { added: true };
    },
  }),

  security_remove_member: operation({
    name: "security_remove_member",
    summary: "Remove a user or group from a project group; one that is not a member is left as is",
    write: true,
    input: membershipInput,
    resource: (i) => `${i.project}/groups/${i.group}/members/${i.member}`,
    run: async (client, i) => {
      const resource = `${i.project}/groups/${i.group}/members/${i.member}`;
      const scope = await projectScope(client, i.project, "security_remove_member", resource);
      const group = await requireGroup(
        client,
        scope.scopeDescriptor,
        i.group,
        "security_remove_member",
        resource,
      );
      const members = await listMembers(client, group.descriptor);
      const member = members.find((m) => m.name.toLowerCase() === i.member.toLowerCase());
      if (!member) return { removed: false };
      await request(client, GRAPH.membership, "DELETE", {
        route: { subjectDescriptor: member.descriptor, containerDescriptor: group.descriptor },
      });
      return { removed: true };
    },
  }),

  security_list_members: operation({
    name: "security_list_members",
    summary: "List a project group's direct members: users by principal name, groups by name",
    write: false,
    input: z.object({ project: ProjectName, group: GroupName }),
    resource: (i) => `${i.project}/groups/${i.group}/members`,
    run: async (client, i) => {
      const resource = `${i.project}/groups/${i.group}/members`;
      const scope = await projectScope(client, i.project, "security_list_members", resource);
      const group = await requireGroup(
        client,
        scope.scopeDescriptor,
        i.group,
        "security_list_members",
        resource,
      );
      return (await listMembers(client, group.descriptor)).map(({ name, kind }) => ({ name, kind }));
    },
  }),
};

/** A group's direct members, resolved to names in one batched subject lookup. */
export async function listMembers(client: AzureDevOpsClient, groupDescriptor: string) {
  const edges =
    (await request<{ memberDescriptor: string }[]>(client, GRAPH.memberships, "GET", {
      route: { subjectDescriptor: groupDescriptor },
      query: { direction: "down" },
      list: true,
    })) ?? [];
  if (edges.length === 0) return [];
  // The lookup answers a dictionary by descriptor under `value`, not a list.
  const lookup = await request<{ value: Record<string, GraphSubject> }>(client, GRAPH.subjectLookup, "POST", {
    body: { lookupKeys: edges.map((e) => ({ descriptor: e.memberDescriptor })) },
  });
  const subjects = lookup?.value ?? {};
  return edges
    .map((e) => subjects[e.memberDescriptor])
    .filter((s): s is GraphSubject => Boolean(s))
    .map((s) => ({
      descriptor: s.descriptor,
      kind: s.subjectKind === "group" ? ("group" as const) : ("user" as const),
      name: s.subjectKind === "group" ? s.displayName : s.principalName,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
