import { createHash, randomBytes } from "node:crypto";
import type { Context } from "hono";
import type { Objects } from "../store.ts";
import { AzureDevOpsError, unauthorized } from "./errors.ts";
import type { Pat } from "./model.ts";

export type AdoEnv = { Variables: { objects: Objects } };

export const patHash = (token: string) => createHash("sha256").update(token).digest("hex");

/** A new 52-character PAT (the length the client library recognises as a PAT), stored by hash. */
export async function issuePat(objects: Objects, pat: Omit<Pat, "hash" | "revoked">): Promise<string> {
  const token = randomBytes(39).toString("base64url").replace(/[-_]/g, "a").slice(0, 52).toLowerCase();
  await objects.put<Pat>("pat", patHash(token), { ...pat, hash: patHash(token), revoked: false });
  return token;
}

/**
 * A new Entra access token for `user` (a JWT-shaped string, so the client library sends it as Bearer), stored
 * by hash with the holder's full access, as an Entra token for Azure DevOps carries.
 */
export async function issueEntraToken(
  objects: Objects,
  entra: { org: string; user: string; kind: "user" | "servicePrincipal"; expiresAt: string },
): Promise<string> {
  const token = `eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.${randomBytes(48).toString("base64url")}.sandbox`;
  await objects.put<Pat>("pat", patHash(token), {
    hash: patHash(token),
    org: entra.org,
    user: entra.user,
    scopes: ["app_token"],
    expiresAt: entra.expiresAt,
    revoked: false,
    entra: entra.kind,
  });
  return token;
}

/** The token in `Authorization`: Basic with the PAT after the colon (any user part), or Bearer. */
function tokenOf(header: string | undefined): string | undefined {
  const basic = /^basic (\S+)$/i.exec(header ?? "")?.[1];
  if (basic) return Buffer.from(basic, "base64").toString("utf8").split(":").slice(1).join(":") || undefined;
  return /^bearer (\S+)$/i.exec(header ?? "")?.[1];
}

/**
 * The live PAT on the request, for this organisation, holding `scope` — or one of them, where Azure DevOps
 * accepts several — (or the full-access `app_token`). A missing, revoked, expired or foreign token and a
 * missing scope all answer 401, as Azure DevOps does.
 */
export async function requireScope(c: Context<AdoEnv>, scope?: string | readonly string[]): Promise<Pat> {
  const token = tokenOf(c.req.header("authorization"));
  const pat = token ? await c.get("objects").get<Pat>("pat", patHash(token)) : undefined;
  const org = (c.req.param("org") ?? "").toLowerCase();
  if (!pat || pat.revoked || new Date(pat.expiresAt) <= new Date() || pat.org.toLowerCase() !== org)
    throw unauthorized();
  const anyOf = typeof scope === "string" ? [scope] : (scope ?? []);
  if (anyOf.length > 0 && !anyOf.some((s) => allows(pat.scopes, s))) throw unauthorized(pat.user);
  return pat;
}

/**
 * The caller of the PAT lifecycle API: only an Entra user. A PAT or a service principal's token is refused
 * (403 InvalidAccessException, in Azure DevOps' words), however broad its access.
 */
export async function requireEntraUser(c: Context<AdoEnv>): Promise<Pat> {
  const caller = await requireScope(c);
  if (caller.entra === "user") return caller;
  throw new AzureDevOpsError(
    403,
    caller.entra === "servicePrincipal"
      ? "Service principals are not allowed to perform this action."
      : "The requested operation is not allowed.",
    "InvalidAccessException",
  );
}

/** `vso.x_manage` ⊇ `vso.x_write` (or `_execute`) ⊇ `vso.x` (or `vso.x_read`); `app_token` is full access. */
export function allows(scopes: string[], needed: string): boolean {
  if (scopes.includes("app_token")) return true;
  const base = needed.replace(/_(read|write|manage|execute)$/, "");
  const rank = (s: string) =>
    s === base || s === `${base}_read`
      ? 1
      : s === `${base}_write` || s === `${base}_execute`
        ? 2
        : s === `${base}_manage`
          ? 3
          : 0;
  return Math.max(0, ...scopes.map(rank)) >= rank(needed);
}

/** 32 hex digits shaped as a version-4 GUID. */
const asGuid = (h: string) =>
  `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;

export const newId = () => asGuid(randomBytes(16).toString("hex"));

/** A GUID that is always the same for `seed`. */
export const stableId = (seed: string) => asGuid(createHash("sha256").update(seed).digest("hex"));

/** A user's identity id in an organisation: a GUID that stays the same, as every Azure DevOps identity has one. */
export const identityId = (org: string, user: string) =>
  stableId(`${org.toLowerCase()}\n${user.toLowerCase()}`);

/** An IdentityRef as Azure DevOps embeds it in resources (createdBy, reviewers, …). */
export const identityRef = (org: string, user: string) => ({
  id: identityId(org, user),
  displayName: user,
  uniqueName: user,
});

/** The user an identity id names in `org`: anyone who holds a token there. */
export async function userOfIdentity(objects: Objects, org: string, id: string): Promise<string | undefined> {
  const pats = await objects.list<Pat>("pat");
  return pats.find(
    (p) => p.org.toLowerCase() === org.toLowerCase() && identityId(p.org, p.user) === id.toLowerCase(),
  )?.user;
}
