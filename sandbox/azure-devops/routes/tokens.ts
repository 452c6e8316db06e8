import type { Context } from "hono";
import { Hono } from "hono";
import type { Objects } from "../../store.ts";
import { type AdoEnv, issuePat, newId, patHash, requireEntraUser } from "../auth.ts";
import { AzureDevOpsError } from "../errors.ts";
import type { Org, Pat } from "../model.ts";

/** The scopes Azure DevOps issues PATs for (its published list); `app_token` is full access. */
export const KNOWN_SCOPES = new Set([
  "app_token",
  "vso.advsec",
  "vso.advsec_write",
  "vso.advsec_manage",
  "vso.agentpools",
  "vso.agentpools_manage",
  "vso.analytics",
  "vso.auditlog",
  "vso.build",
  "vso.build_execute",
  "vso.code",
  "vso.code_write",
  "vso.code_manage",
  "vso.code_full",
  "vso.code_status",
  "vso.connected_server",
  "vso.dashboards",
  "vso.dashboards_manage",
  "vso.entitlements",
  "vso.environment_manage",
  "vso.extension",
  "vso.extension_manage",
  "vso.extension.data",
  "vso.extension.data_write",
  "vso.graph",
  "vso.graph_manage",
  "vso.identity",
  "vso.identity_manage",
  "vso.machinegroup_manage",
  "vso.memberentitlementmanagement",
  "vso.memberentitlementmanagement_write",
  "vso.notification",
  "vso.notification_write",
  "vso.notification_manage",
  "vso.packaging",
  "vso.packaging_write",
  "vso.packaging_manage",
  "vso.pipelineresources_use",
  "vso.pipelineresources_manage",
  "vso.profile",
  "vso.project",
  "vso.project_write",
  "vso.project_manage",
  "vso.release",
  "vso.release_execute",
  "vso.release_manage",
  "vso.security_manage",
  "vso.serviceendpoint",
  "vso.serviceendpoint_query",
  "vso.serviceendpoint_manage",
  "vso.symbols",
  "vso.symbols_write",
  "vso.symbols_manage",
  "vso.taskgroups_read",
  "vso.taskgroups_write",
  "vso.taskgroups_manage",
  "vso.test",
  "vso.test_write",
  "vso.threads_full",
  "vso.tokens",
  "vso.tokenadministration",
  "vso.variablegroups_read",
  "vso.variablegroups_write",
  "vso.variablegroups_manage",
  "vso.wiki",
  "vso.wiki_write",
  "vso.work",
  "vso.work_write",
  "vso.work_full",
]);

/** Azure DevOps caps a PAT's life at one year. */
const MAX_LIFETIME_MS = 366 * 86_400_000;
const orgOf = (c: Context) => (c.req.param("org") ?? "").toLowerCase();
const indexKey = (org: string, authorizationId: string) => `${org}/${authorizationId}`.toLowerCase();

/** A PAT as the API shows it: never the token, except in the answer to its creation. */
function patJson(p: Pat, orgId: string, token: string | null = null) {
  return {
    displayName: p.displayName ?? "",
    validTo: p.expiresAt,
    scope: p.scopes.join(" "),
    targetAccounts: [orgId],
    validFrom: p.validFrom ?? p.expiresAt,
    authorizationId: p.authorizationId ?? "",
    token,
  };
}

type Creation = { displayName: string; scopes: string[]; validTo: string } | { refused: string };

/**
 * The creation request's display name, scopes and end, validated as the service does; a refusal is named as
 * the tokens API names it in `patTokenError` (its SessionTokenError values).
 */
function creation(body: Record<string, unknown>): Creation {
  const displayName = typeof body.displayName === "string" ? body.displayName.trim() : "";
  if (!displayName) return { refused: "displayNameRequired" };
  const scopes = String(body.scope ?? "")
    .split(/\s+/)
    .filter(Boolean);
  if (scopes.length === 0 || scopes.some((s) => !KNOWN_SCOPES.has(s))) return { refused: "invalidScope" };
  const validTo = new Date(String(body.validTo ?? ""));
  const left = validTo.getTime() - Date.now();
  if (Number.isNaN(left) || left <= 0 || left > MAX_LIFETIME_MS) return { refused: "invalidValidTo" };
  // A PAT for every organisation the user reaches is not something one sandbox organisation can honour.
  if (body.allOrgs === true) return { refused: "invalidTargetAccounts" };
  return { displayName, scopes, validTo: validTo.toISOString() };
}

/** The caller's own PAT with this authorization id, or a 404 in the service's words. */
async function ownPat(objects: Objects, org: string, user: string, authorizationId: string): Promise<Pat> {
  const index = await objects.get<{ hash: string }>("patauth", indexKey(org, authorizationId));
  const pat = index ? await objects.get<Pat>("pat", index.hash, { forUpdate: true }) : undefined;
  if (!pat || pat.user !== user)
    throw new AzureDevOpsError(
      404,
      `The personal access token with authorization id ${authorizationId} was not found.`,
      "SessionTokenNotFoundException",
    );
  return pat;
}

type Filter = "active" | "revoked" | "expired" | "all";
const shown = (p: Pat, filter: Filter) => {
  const expired = new Date(p.expiresAt) <= new Date();
  if (filter === "all") return true;
  if (filter === "revoked") return p.revoked;
  if (filter === "expired") return expired && !p.revoked;
  return !expired && !p.revoked;
};

/**
 * PAT lifecycle (`_apis/tokens/pats`, served on vssps in the cloud): create a PAT for the calling user, scoped
 * and expiring; list and read without the token; revoke by authorization id, after which the PAT is refused
 * everywhere. Only an Entra user may call it: a PAT or a service principal is refused.
 */
export function tokenRoutes(): Hono<AdoEnv> {
  const app = new Hono<AdoEnv>();
  const orgId = async (c: Context<AdoEnv>) => (await c.get("objects").get<Org>("org", orgOf(c)))?.id ?? "";

  app.post("/:org/_apis/tokens/pats", async (c) => {
    const caller = await requireEntraUser(c);
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
    const request = creation(body);
    if ("refused" in request) return c.json({ patToken: null, patTokenError: request.refused }, 400);
    const { displayName, scopes, validTo } = request;
    const authorizationId = newId();
    const validFrom = new Date().toISOString();
    const token = await issuePat(objects, {
      org: caller.org,
      user: caller.user,
      scopes,
      expiresAt: validTo,
      authorizationId,
      displayName,
      validFrom,
    });
    await objects.put("patauth", indexKey(orgOf(c), authorizationId), { hash: patHash(token) });
    const pat = (await objects.get<Pat>("pat", patHash(token))) as Pat;
    return c.json({ patToken: patJson(pat, await orgId(c), token), patTokenError: "none" });
  });

  app.get("/:org/_apis/tokens/pats", async (c) => {
    const caller = await requireEntraUser(c);
    const objects = c.get("objects");
    const id = c.req.query("authorizationId");
    if (id) {
      const pat = await ownPat(objects, orgOf(c), caller.user, id);
      return c.json({ patToken: patJson(pat, await orgId(c)), patTokenError: "none" });
    }
    const filter = (c.req.query("displayFilterOption") ?? "active").toLowerCase() as Filter;
    const top = Math.min(100, Math.max(1, Number(c.req.query("$top") ?? 100) || 100));
    const start = Number(c.req.query("continuationToken") ?? 0) || 0;
    const mine: Pat[] = [];
    for (const { hash } of await objects.list<{ hash: string }>("patauth", `${orgOf(c)}/`)) {
      const pat = await objects.get<Pat>("pat", hash);
      if (pat && pat.user === caller.user && shown(pat, filter)) mine.push(pat);
    }
    mine.sort((a, b) => (a.displayName ?? "").localeCompare(b.displayName ?? ""));
    const page = mine.slice(start, start + top);
    const id0 = await orgId(c);
    return c.json({
      patTokens: page.map((p) => patJson(p, id0)),
      continuationToken: start + top < mine.length ? String(start + top) : "",
    });
  });

  app.delete("/:org/_apis/tokens/pats", async (c) => {
    const caller = await requireEntraUser(c);
    const id = c.req.query("authorizationId") ?? "";
    const objects = c.get("objects");
    const pat = await ownPat(objects, orgOf(c), caller.user, id);
    await objects.put<Pat>("pat", pat.hash, { ...pat, revoked: true });
    return c.body(null, 204);
  });

  return app;
}
