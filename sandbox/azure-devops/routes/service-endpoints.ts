import { createHash } from "node:crypto";
import type { Context } from "hono";
import { Hono } from "hono";
import { type AdoEnv, newId, requireScope } from "../auth.ts";
import { AzureDevOpsError } from "../errors.ts";
import type { Project, ServiceEndpoint } from "../model.ts";
import { findProject, wellFormedProject } from "./projects.ts";

type Body = Record<string, unknown>;
const orgOf = (c: Context) => (c.req.param("org") ?? "").toLowerCase();
const TYPES = new Set(["azurerm", "generic", "github", "dockerregistry", "kubernetes"]);

/** What reads show: never the authorization parameters (Azure DevOps hides secrets the same way). */
function endpointJson(e: ServiceEndpoint, projects: Project[]) {
  return {
    id: e.id,
    name: e.name,
    type: e.type,
    url: e.url,
    authorization: {
      scheme: e.scheme,
      parameters: Object.fromEntries(Object.keys(e.parameterFingerprints).map((k) => [k, null])),
    },
    isShared: false,
    isReady: true,
    owner: "Library",
    createdBy: { displayName: e.createdBy, uniqueName: e.createdBy },
    serviceEndpointProjectReferences: projects.map((p) => ({
      projectReference: { id: p.id, name: p.name },
      name: e.name,
    })),
  };
}

/** Service connections: created at organisation level for projects, read per project; secrets write-only. */
export function serviceEndpointRoutes(): Hono<AdoEnv> {
  const app = new Hono<AdoEnv>();

  app.post("/:org/_apis/serviceendpoint/endpoints", async (c) => {
    const pat = await requireScope(c, "vso.serviceendpoint_manage");
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const name = typeof body.name === "string" ? body.name.trim() : "";
    const type = String(body.type ?? "").toLowerCase();
    const auth = (body.authorization ?? {}) as { scheme?: string; parameters?: Record<string, unknown> };
    if (!name || !TYPES.has(type) || typeof body.url !== "string" || !auth.scheme)
      throw new AzureDevOpsError(
        400,
        "A service connection needs a name, a known type, a url and an authorization scheme.",
        "InvalidArgumentValueException",
      );
    const refs = (body.serviceEndpointProjectReferences ?? []) as { projectReference?: { id?: string } }[];
    const projects = await Promise.all(
      refs.map((r) => findProject(objects, orgOf(c), String(r.projectReference?.id ?? ""))),
    );
    if (projects.length === 0 || projects.some((p) => !p))
      throw new AzureDevOpsError(
        400,
        "The service connection must reference existing projects.",
        "InvalidArgumentValueException",
      );
    const projectIds = (projects as Project[]).map((p) => p.id);
    const existing = await objects.list<ServiceEndpoint>("endpoint", `${orgOf(c)}/`);
    if (
      existing.some(
        (e) =>
          e.name.toLowerCase() === name.toLowerCase() && e.projectIds.some((id) => projectIds.includes(id)),
      )
    )
      throw new AzureDevOpsError(
        409,
        `A service connection with name ${name} already exists in the project.`,
        "DuplicateServiceConnectionException",
      );
    const endpoint: ServiceEndpoint = {
      id: newId(),
      name,
      type,
      url: body.url,
      scheme: auth.scheme,
      parameterFingerprints: Object.fromEntries(
        Object.entries(auth.parameters ?? {}).map(([k, v]) => [
          k,
          createHash("sha256").update(String(v)).digest("hex"),
        ]),
      ),
      projectIds,
      createdBy: pat.user,
    };
    await objects.put("endpoint", `${orgOf(c)}/${endpoint.id}`, endpoint);
    return c.json(endpointJson(endpoint, projects as Project[]));
  });

  app.get("/:org/:project/_apis/serviceendpoint/endpoints", async (c) => {
    await requireScope(c, "vso.serviceendpoint");
    const project = await wellFormedProject(c);
    const names = c.req.query("endpointNames")?.toLowerCase().split(",").filter(Boolean);
    const all = (await c.get("objects").list<ServiceEndpoint>("endpoint", `${orgOf(c)}/`)).filter(
      (e) => e.projectIds.includes(project.id) && (!names || names.includes(e.name.toLowerCase())),
    );
    return c.json({ count: all.length, value: all.map((e) => endpointJson(e, [project])) });
  });

  return app;
}
