import { Hono } from "hono";
import { type AdoEnv, identityId, requireScope } from "../auth.ts";
import { AzureDevOpsError } from "../errors.ts";
import { locationJson, locationsOf } from "../locations.ts";
import type { Org } from "../model.ts";

/** What the client library reads before any call: an area's locations, the resource areas, connection data. */
export function discoveryRoutes(): Hono<AdoEnv> {
  const app = new Hono<AdoEnv>();

  app.on("OPTIONS", "/:org/_apis/:area", async (c) => {
    await requireScope(c);
    const locations = locationsOf(c.req.param("area"));
    if (locations.length === 0)
      throw new AzureDevOpsError(
        404,
        `The resource area ${c.req.param("area")} does not exist.`,
        "ResourceAreaNotFoundException",
      );
    return c.json({ count: locations.length, value: locations.map(locationJson) });
  });

  // One host serves every area here, so the list is empty and every client keeps the organisation's URL.
  app.get("/:org/_apis/ResourceAreas", async (c) => {
    await requireScope(c);
    return c.json({ count: 0, value: [] });
  });

  // WebApi.connect() asks for `connectionData`; the location names it `ConnectionData` (the service ignores case).
  app.on("GET", ["/:org/_apis/ConnectionData", "/:org/_apis/connectionData"], async (c) => {
    const pat = await requireScope(c);
    const org = await c.get("objects").get<Org>("org", (c.req.param("org") ?? "").toLowerCase());
    return c.json({
      authenticatedUser: { id: identityId(pat.org, pat.user), providerDisplayName: pat.user, isActive: true },
      authorizedUser: { id: identityId(pat.org, pat.user), providerDisplayName: pat.user, isActive: true },
      instanceId: org?.id,
      deploymentType: "hosted",
      locationServiceData: {
        serviceOwner: "00025394-6065-48ca-87d9-7f5672854ef7",
        defaultAccessMappingMoniker: "PublicAccessMapping",
      },
    });
  });

  return app;
}
