import type { Context } from "hono";
import { Hono } from "hono";
import { type AdoEnv, requireScope } from "../auth.ts";
import { AzureDevOpsError } from "../errors.ts";
import {
  addMembership,
  createGroup,
  groupsIn,
  materialiseUser,
  membership,
  memberships,
  projectOfScope,
  removeMembership,
  scopeDescriptor,
  subject,
} from "../identities.ts";
import type { GraphGroup, GraphUser, Membership } from "../model.ts";
import { findProject } from "./projects.ts";

type Body = Record<string, unknown>;
const orgOf = (c: Context) => (c.req.param("org") ?? "").toLowerCase();
const base = (c: Context) => `${new URL(c.req.url).origin}/${c.req.param("org")}/_apis/graph`;

const groupJson = (c: Context, g: GraphGroup) => ({
  subjectKind: "group",
  description: g.description,
  domain: g.projectId
    ? `vstfs:///Classification/TeamProject/${g.projectId}`
    : "vstfs:///Framework/IdentityDomain",
  principalName: g.principalName,
  mailAddress: null,
  origin: "vsts",
  originId: g.originId,
  displayName: g.displayName,
  descriptor: g.descriptor,
  url: `${base(c)}/Groups/${g.descriptor}`,
});

const userJson = (c: Context, u: GraphUser) => ({
  subjectKind: "user",
  domain: "AAD",
  principalName: u.principalName,
  mailAddress: u.principalName,
  origin: "aad",
  originId: u.originId,
  displayName: u.displayName,
  descriptor: u.descriptor,
  url: `${base(c)}/Users/${u.descriptor}`,
});

const membershipJson = (c: Context, m: Membership) => ({
  containerDescriptor: m.containerDescriptor,
  memberDescriptor: m.memberDescriptor,
  _links: {
    self: { href: `${base(c)}/Memberships/${m.memberDescriptor}/${m.containerDescriptor}` },
  },
});

const notFound = (what: string) =>
  new AzureDevOpsError(404, `VS860018: The subject ${what} was not found.`, "GraphSubjectNotFoundException");

/** The project a `scopeDescriptor` names (null for the organisation), refused when it names none. */
async function scopeOf(c: Context<AdoEnv>) {
  const scope = c.req.query("scopeDescriptor");
  if (!scope) return null;
  const projectId = projectOfScope(scope);
  const project = projectId ? await findProject(c.get("objects"), orgOf(c), projectId) : undefined;
  if (!project)
    throw new AzureDevOpsError(400, `VS860004: The scope ${scope} is not valid.`, "InvalidScopeException");
  return project;
}

/** Graph (vssps on the cloud): descriptors, groups, users, memberships and subject lookup. */
export function graphRoutes(): Hono<AdoEnv> {
  const app = new Hono<AdoEnv>();

  app.get("/:org/_apis/graph/descriptors/:storageKey", async (c) => {
    await requireScope(c, "vso.graph");
    const project = await findProject(c.get("objects"), orgOf(c), c.req.param("storageKey"));
    if (!project) throw notFound(c.req.param("storageKey"));
    return c.json({ value: scopeDescriptor(project.id) });
  });

  app.get("/:org/_apis/graph/groups", async (c) => {
    await requireScope(c, "vso.graph");
    const project = await scopeOf(c);
    const groups = await groupsIn(c.get("objects"), orgOf(c), project?.id ?? null);
    return c.json({ count: groups.length, value: groups.map((g) => groupJson(c, g)) });
  });

  app.post("/:org/_apis/graph/groups", async (c) => {
    await requireScope(c, "vso.graph_manage");
    const objects = c.get("objects");
    const project = await scopeOf(c);
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const displayName = typeof body.displayName === "string" ? body.displayName.trim() : "";
    if (!displayName || displayName.length > 256 || /[\\/:*?"<>;|[\]+=,@]/.test(displayName))
      throw new AzureDevOpsError(
        400,
        'VS860002: The group name is not valid; it must be 1-256 characters without \\ / : * ? " < > ; | [ ] + = , @.',
        "InvalidGraphGroupNameException",
      );
    const existing = (await groupsIn(objects, orgOf(c), project?.id ?? null)).find(
      (g) => g.displayName.toLowerCase() === displayName.toLowerCase(),
    );
    // Creating a group that exists answers the existing group, as Azure DevOps' Graph does.
    const group =
      existing ??
      (await createGroup(
        objects,
        orgOf(c),
        project,
        displayName,
        typeof body.description === "string" ? body.description : "",
      ));
    return c.json(groupJson(c, group), existing ? 200 : 201);
  });

  app.get("/:org/_apis/graph/groups/:descriptor", async (c) => {
    await requireScope(c, "vso.graph");
    const found = await subject(c.get("objects"), orgOf(c), c.req.param("descriptor"));
    if (found?.kind !== "group") throw notFound(c.req.param("descriptor"));
    return c.json(groupJson(c, found));
  });

  app.post("/:org/_apis/graph/users", async (c) => {
    await requireScope(c, "vso.graph_manage");
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const principalName = typeof body.principalName === "string" ? body.principalName.trim() : "";
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(principalName))
      throw new AzureDevOpsError(
        400,
        "VS860015: Cannot find a user with the given principal name.",
        "GraphSubjectNotFoundException",
      );
    const user = await materialiseUser(objects, orgOf(c), principalName);
    for (const group of (c.req.query("groupDescriptors") ?? "").split(",").filter(Boolean)) {
      if ((await subject(objects, orgOf(c), group))?.kind !== "group") throw notFound(group);
      await addMembership(objects, orgOf(c), {
        containerDescriptor: group,
        memberDescriptor: user.descriptor,
      });
    }
    return c.json(userJson(c, user), 201);
  });

  app.get("/:org/_apis/graph/users/:descriptor", async (c) => {
    await requireScope(c, "vso.graph");
    const found = await subject(c.get("objects"), orgOf(c), c.req.param("descriptor"));
    if (found?.kind !== "user") throw notFound(c.req.param("descriptor"));
    return c.json(userJson(c, found));
  });

  app.post("/:org/_apis/graph/subjectlookup", async (c) => {
    await requireScope(c, "vso.graph");
    const body = (await c.req.json().catch(() => ({}))) as { lookupKeys?: { descriptor?: string }[] };
    const value: Record<string, unknown> = {};
    for (const key of body.lookupKeys ?? []) {
      const found = key.descriptor ? await subject(c.get("objects"), orgOf(c), key.descriptor) : undefined;
      if (found && key.descriptor)
        value[key.descriptor] = found.kind === "group" ? groupJson(c, found) : userJson(c, found);
    }
    return c.json({ count: Object.keys(value).length, value });
  });

  app.get("/:org/_apis/graph/memberships/:subject", async (c) => {
    await requireScope(c, "vso.graph");
    const direction = (c.req.query("direction") ?? "up").toLowerCase() === "down" ? "down" : "up";
    const found = await memberships(c.get("objects"), orgOf(c), c.req.param("subject"), direction);
    return c.json({ count: found.length, value: found.map((m) => membershipJson(c, m)) });
  });

  app.get("/:org/_apis/graph/memberships/:subject/:container", async (c) => {
    await requireScope(c, "vso.graph");
    const found = await membership(
      c.get("objects"),
      orgOf(c),
      c.req.param("subject"),
      c.req.param("container"),
    );
    if (!found)
      throw new AzureDevOpsError(
        404,
        "VS860019: The membership was not found.",
        "GraphMembershipNotFoundException",
      );
    return c.json(membershipJson(c, found));
  });

  app.put("/:org/_apis/graph/memberships/:subject/:container", async (c) => {
    await requireScope(c, "vso.graph_manage");
    const objects = c.get("objects");
    const [member, container] = [c.req.param("subject"), c.req.param("container")];
    if (!(await subject(objects, orgOf(c), member))) throw notFound(member);
    if ((await subject(objects, orgOf(c), container))?.kind !== "group") throw notFound(container);
    if (member === container)
      throw new AzureDevOpsError(
        400,
        "VS860020: A group cannot be a member of itself.",
        "InvalidGraphMembershipException",
      );
    const edge = { containerDescriptor: container, memberDescriptor: member };
    await addMembership(objects, orgOf(c), edge);
    return c.json(membershipJson(c, edge), 201);
  });

  app.delete("/:org/_apis/graph/memberships/:subject/:container", async (c) => {
    await requireScope(c, "vso.graph_manage");
    const edge = { containerDescriptor: c.req.param("container"), memberDescriptor: c.req.param("subject") };
    if (!(await removeMembership(c.get("objects"), orgOf(c), edge)))
      throw new AzureDevOpsError(
        404,
        "VS860019: The membership was not found.",
        "GraphMembershipNotFoundException",
      );
    return c.body(null, 200);
  });

  return app;
}
