import { request } from "./area-client.ts";
import type { AzureDevOpsClient } from "./client.ts";
import { AzureDevOpsFactoryError } from "./errors.ts";
import { requireProject } from "./operations/projects.ts";

/** Graph: the resource area (vssps on the cloud) and the locations the factory uses, at 7.1-preview.1. */
const graph = (locationId: string) => ({
  areaId: "bb1e7ec9-e901-4b68-999a-de7012b920f8",
  area: "graph",
  locationId,
  version: "7.1-preview.1",
});
export const GRAPH = {
  descriptors: graph("048aee0a-7072-4cde-ab73-7af77b1e0b4e"),
  groups: graph("ebbe6af8-0b91-4c13-8cf1-777c14858188"),
  users: graph("005e26ec-6b77-4e4f-a986-b3827bf241f5"),
  membership: graph("3fd2e6ca-fb30-443a-b579-95b19ed0934c"),
  memberships: graph("e34b6394-6b30-4435-94a9-409a5eef3e31"),
  subjectLookup: graph("4dd4d168-11f2-48c4-83e8-756fa0de027c"),
};

export interface GraphSubject {
  descriptor: string;
  displayName: string;
  principalName: string;
  description?: string;
  subjectKind: string;
}

/** A project's id, name and Graph scope descriptor (groups are listed and created in that scope). */
export async function projectScope(client: AzureDevOpsClient, project: string, op: string, resource: string) {
  const found = await requireProject(client, project, op, resource);
  const scope = await request<{ value: string }>(client, GRAPH.descriptors, "GET", {
    route: { storageKey: found.id },
  });
  return { ...found, scopeDescriptor: scope?.value ?? "" };
}

export const groupsInScope = async (client: AzureDevOpsClient, scopeDescriptor: string) =>
  (await request<GraphSubject[]>(client, GRAPH.groups, "GET", { query: { scopeDescriptor }, list: true })) ??
  [];

/** The project's group by display name (case-insensitive), or the operation's 404. */
export async function requireGroup(
  client: AzureDevOpsClient,
  scopeDescriptor: string,
  name: string,
  op: string,
  resource: string,
): Promise<GraphSubject> {
  const group = (await groupsInScope(client, scopeDescriptor)).find(
    (g) => g.displayName.toLowerCase() === name.toLowerCase(),
  );
  if (!group)
    throw new AzureDevOpsFactoryError(
      op,
      resource,
      404,
      `group ${name} does not exist`,
      "GraphSubjectNotFoundException",
    );
  return group;
}

/**
 * The identity descriptor ACLs name a group by: a Graph group descriptor is `vssgp.` + base64url of the
 * group's security identifier, and ACLs use `Microsoft.TeamFoundation.Identity;<sid>`.
 */
export function aclDescriptor(graphDescriptor: string): string {
  const [kind, encoded] = graphDescriptor.split(".", 2);
  const sid = kind === "vssgp" && encoded ? Buffer.from(encoded, "base64url").toString("utf8") : "";
  if (!/^S-1-9-[0-9-]+$/.test(sid))
    throw new Error(`${graphDescriptor} is not an Azure DevOps group descriptor`);
  return `Microsoft.TeamFoundation.Identity;${sid}`;
}
