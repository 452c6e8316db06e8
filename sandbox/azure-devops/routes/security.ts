import type { Context } from "hono";
import { Hono } from "hono";
import { type AdoEnv, requireScope } from "../auth.ts";
import { AzureDevOpsError } from "../errors.ts";
import type { Acl } from "../model.ts";
import { aclsUnder, BUILD, GIT, getAcl, putAcl } from "../permissions.ts";

const orgOf = (c: Context) => (c.req.param("org") ?? "").toLowerCase();
const NAMESPACES = new Set([GIT, BUILD]);

function namespaceOf(c: Context): string {
  const id = c.req.param("namespaceId")?.toLowerCase() ?? "";
  if (!NAMESPACES.has(id))
    throw new AzureDevOpsError(
      404,
      `The security namespace ${id} was not found.`,
      "InvalidSecurityNamespaceIdException",
    );
  return id;
}

const aclJson = (acl: Acl, descriptors?: Set<string>) => ({
  inheritPermissions: acl.inheritPermissions,
  token: acl.token,
  acesDictionary: Object.fromEntries(
    Object.entries(acl.aces)
      .filter(([d]) => !descriptors || descriptors.has(d))
      .map(([descriptor, e]) => [descriptor, { descriptor, allow: e.allow, deny: e.deny }]),
  ),
});

/** Security: access control entries set on a namespace's token, and the lists read back. */
export function securityRoutes(): Hono<AdoEnv> {
  const app = new Hono<AdoEnv>();

  app.post("/:org/_apis/accesscontrolentries/:namespaceId", async (c) => {
    await requireScope(c, "vso.security_manage");
    const namespaceId = namespaceOf(c);
    const body = (await c.req.json().catch(() => ({}))) as {
      token?: unknown;
      merge?: unknown;
      accessControlEntries?: { descriptor?: unknown; allow?: unknown; deny?: unknown }[];
    };
    const entries = body.accessControlEntries ?? [];
    if (typeof body.token !== "string" || !body.token || !Array.isArray(entries) || entries.length === 0)
      throw new AzureDevOpsError(
        400,
        "A token and at least one access control entry are required.",
        "ArgumentException",
      );
    for (const e of entries)
      if (
        typeof e.descriptor !== "string" ||
        !/^Microsoft\.TeamFoundation\.Identity;S-1-9-[0-9-]+$/.test(e.descriptor) ||
        !Number.isInteger(e.allow ?? 0) ||
        !Number.isInteger(e.deny ?? 0)
      )
        throw new AzureDevOpsError(
          400,
          `The descriptor ${String(e.descriptor)} is not valid.`,
          "InvalidIdentityDescriptorException",
        );
    const acl = (await getAcl(c.get("objects"), orgOf(c), namespaceId, body.token)) ?? {
      namespaceId,
      token: body.token,
      inheritPermissions: true,
      aces: {},
    };
    const merge = body.merge === true;
    const written = entries.map((e) => {
      const before = acl.aces[e.descriptor as string];
      const allow = Number(e.allow ?? 0);
      const deny = Number(e.deny ?? 0);
      // Merging ORs the new bits in (a bit allowed now is no longer denied, and the other way round).
      const next =
        merge && before
          ? { allow: (before.allow & ~deny) | allow, deny: (before.deny & ~allow) | deny }
          : { allow, deny };
      acl.aces[e.descriptor as string] = next;
      return { descriptor: e.descriptor, ...next, extendedInfo: {} };
    });
    await putAcl(c.get("objects"), orgOf(c), acl);
    return c.json({ count: written.length, value: written });
  });

  app.get("/:org/_apis/accesscontrollists/:namespaceId", async (c) => {
    await requireScope(c, "vso.security_manage");
    const namespaceId = namespaceOf(c);
    const token = c.req.query("token") ?? "";
    const recurse = c.req.query("recurse") === "true";
    const descriptors = c.req.query("descriptors");
    const only = descriptors ? new Set(descriptors.split(",")) : undefined;
    const objects = c.get("objects");
    const acls = recurse
      ? await aclsUnder(objects, orgOf(c), namespaceId, token)
      : [await getAcl(objects, orgOf(c), namespaceId, token)].filter((a): a is Acl => Boolean(a));
    return c.json({ count: acls.length, value: acls.map((a) => aclJson(a, only)) });
  });

  return app;
}
