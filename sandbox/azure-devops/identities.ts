import { randomInt } from "node:crypto";
import type { Objects } from "../store.ts";
import { newId } from "./auth.ts";
import type { GraphGroup, GraphUser, Membership, Project, Subject } from "./model.ts";

/**
 * The sandbox's Graph: groups per project (created with the project, as Azure DevOps does), users
 * materialised by principal name, and membership edges stored both ways so either direction is one range read.
 */

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64url");
const unb64 = (s: string) => Buffer.from(s, "base64url").toString("utf8");

/** `vssgp.<base64(sid)>` → the identity descriptor ACLs use, or undefined for a descriptor that is not a group's. */
export function identityDescriptor(graphDescriptor: string): string | undefined {
  const [kind, encoded] = graphDescriptor.split(".", 2);
  if (kind !== "vssgp" || !encoded) return undefined;
  const sid = unb64(encoded);
  return /^S-1-9-[0-9-]+$/.test(sid) ? `Microsoft.TeamFoundation.Identity;${sid}` : undefined;
}

export const scopeDescriptor = (projectId: string) => `scp.${b64(projectId)}`;
export const projectOfScope = (descriptor: string) =>
  descriptor.startsWith("scp.") ? unb64(descriptor.slice(4)) : undefined;

const groupKey = (org: string, scope: string, descriptor: string) => `${org}/${scope}/${descriptor}`;
const subjectKey = (org: string, descriptor: string) => `${org}/${descriptor}`;
const edge = (org: string, a: string, b: string) => `${org}/${a}/${b}`;

/** The default groups of a new project, as Azure DevOps creates them. */
export const DEFAULT_GROUPS: Record<string, string> = {
  "Project Administrators": "Members of this group can perform all operations in the team project.",
  Contributors: "Members of this group can add, modify, and delete items within the team project.",
  Readers: "Members of this group have access to the team project.",
  "Build Administrators":
    "Members of this group can create, modify and delete build definitions and manage queued and completed builds.",
  "Project Valid Users": "Members of this group have access to the team project.",
};

export async function createGroup(
  objects: Objects,
  org: string,
  project: Pick<Project, "id" | "name"> | null,
  displayName: string,
  description: string,
): Promise<GraphGroup> {
  const sid = `S-1-9-1551374245-${Array.from({ length: 4 }, () => randomInt(2 ** 31)).join("-")}-1-${Array.from({ length: 4 }, () => randomInt(2 ** 31)).join("-")}`;
  const group: GraphGroup = {
    descriptor: `vssgp.${b64(sid)}`,
    sid,
    projectId: project?.id ?? null,
    displayName,
    description,
    principalName: `[${project?.name ?? org}]\\${displayName}`,
    originId: newId(),
  };
  const key = groupKey(org, project?.id ?? "org", group.descriptor);
  await objects.put<GraphGroup>("graph-group", key, group);
  await objects.put<Subject>("graph-subject", subjectKey(org, group.descriptor), { kind: "group", key });
  return group;
}

/** The groups in a project (or the organisation's, for null), oldest first. */
export const groupsIn = (objects: Objects, org: string, projectId: string | null) =>
  objects.list<GraphGroup>("graph-group", `${org}/${projectId ?? "org"}/`);

export async function subject(
  objects: Objects,
  org: string,
  descriptor: string,
): Promise<(GraphGroup & { kind: "group" }) | (GraphUser & { kind: "user" }) | undefined> {
  const where = await objects.get<Subject>("graph-subject", subjectKey(org, descriptor));
  if (!where) return undefined;
  if (where.kind === "group") {
    const group = await objects.get<GraphGroup>("graph-group", where.key);
    return group && { ...group, kind: "group" };
  }
  const user = await objects.get<GraphUser>("graph-user", where.key);
  return user && { ...user, kind: "user" };
}

/** The user with this principal name, materialised on first use (the sandbox's directory holds anyone). */
export async function materialiseUser(
  objects: Objects,
  org: string,
  principalName: string,
): Promise<GraphUser> {
  const key = `${org}/${principalName.toLowerCase()}`;
  const found = await objects.get<GraphUser>("graph-user", key);
  if (found) return found;
  const originId = newId();
  const user: GraphUser = {
    descriptor: `aad.${b64(originId)}`,
    principalName,
    displayName: principalName.split("@")[0] ?? principalName,
    originId,
  };
  await objects.put<GraphUser>("graph-user", key, user);
  await objects.put<Subject>("graph-subject", subjectKey(org, user.descriptor), { kind: "user", key });
  return user;
}

export const findUser = (objects: Objects, org: string, principalName: string) =>
  objects.get<GraphUser>("graph-user", `${org}/${principalName.toLowerCase()}`);

export async function addMembership(objects: Objects, org: string, m: Membership): Promise<void> {
  await objects.put<Membership>("graph-members", edge(org, m.containerDescriptor, m.memberDescriptor), m);
  await objects.put<Membership>("graph-member-of", edge(org, m.memberDescriptor, m.containerDescriptor), m);
}

export async function removeMembership(objects: Objects, org: string, m: Membership): Promise<boolean> {
  await objects.delete("graph-member-of", edge(org, m.memberDescriptor, m.containerDescriptor));
  return objects.delete("graph-members", edge(org, m.containerDescriptor, m.memberDescriptor));
}

export const membership = (objects: Objects, org: string, member: string, container: string) =>
  objects.get<Membership>("graph-members", edge(org, container, member));

/** Direct memberships: `down` lists a group's members, `up` the groups a subject is in. */
export const memberships = (objects: Objects, org: string, descriptor: string, direction: "up" | "down") =>
  objects.list<Membership>(
    direction === "down" ? "graph-members" : "graph-member-of",
    `${org}/${descriptor}/`,
  );

/** Every group a subject is in, directly or through groups in groups. */
export async function allGroupsOf(objects: Objects, org: string, descriptor: string): Promise<string[]> {
  const seen = new Set<string>();
  let frontier = [descriptor];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const d of frontier)
      for (const m of await memberships(objects, org, d, "up"))
        if (!seen.has(m.containerDescriptor)) {
          seen.add(m.containerDescriptor);
          next.push(m.containerDescriptor);
        }
    frontier = next;
  }
  return [...seen];
}
