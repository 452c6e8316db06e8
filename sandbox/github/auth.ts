import { createHash, randomBytes } from "node:crypto";
import type { Context } from "hono";
import type { Objects } from "../store.ts";
import { badCredentials, notAccessible, notFound } from "./errors.ts";
import { type Level, type Permissions, type Repo, repoKey, type Token } from "./model.ts";

export type SandboxEnv = { Variables: { objects: Objects } };

const RANK: Record<Level, number> = { read: 1, write: 2 };

export const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

/** A new token in GitHub's format for its kind (`ghs_` installation, `ghp_` personal), stored by hash. */
export async function issueToken(objects: Objects, token: Omit<Token, "hash" | "revoked">): Promise<string> {
  const value = `${token.kind === "installation" ? "ghs" : "ghp"}_${randomBytes(27).toString("base64url")}`;
  await objects.put("token", tokenHash(value), { ...token, hash: tokenHash(value), revoked: false });
  return value;
}

/** The live token on the request: unknown, revoked and expired all answer 401 as GitHub does. */
export async function requireToken(c: Context<SandboxEnv>): Promise<Token> {
  const value = /^(?:token|bearer) (\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
  if (!value || value.split(".").length === 3) throw badCredentials();
  const token = await c.get("objects").get<Token>("token", tokenHash(value));
  if (!token || token.revoked || new Date(token.expiresAt) <= new Date()) throw badCredentials();
  return token;
}

export function allows(permissions: Permissions, permission: string, level: Level): boolean {
  const granted = permissions[permission];
  return granted !== undefined && RANK[granted] >= RANK[level];
}

/** Can the token see this repository at all? GitHub hides what it cannot behind a 404. */
export function canSee(token: Token, owner: string, name: string): boolean {
  if (token.org && token.org.toLowerCase() !== owner.toLowerCase()) return false;
  return token.repositories === null || token.repositories.includes(name.toLowerCase());
}

/**
 * The repository named by the path, for a token that may see it and, with `need`, holds that permission:
 * 404 when it does not exist or is out of the token's reach, 403 when it is visible but the permission is missing.
 */
export async function repoFor(
  c: Context<SandboxEnv>,
  need?: [permission: string, level: Level],
  options: { forUpdate?: boolean } = {},
): Promise<{ repo: Repo; token: Token }> {
  const token = await requireToken(c);
  const owner = c.req.param("owner") ?? "";
  const name = c.req.param("repo") ?? "";
  const repo = await c.get("objects").get<Repo>("repo", repoKey(owner, name), options);
  if (!repo || !canSee(token, owner, name)) throw notFound();
  if (need && !allows(token.permissions, need[0], need[1])) throw notAccessible();
  return { repo, token };
}

/** An organisation-level call: the token must act in `org` and hold the permission. */
export async function orgFor(c: Context<SandboxEnv>, need: [permission: string, level: Level]) {
  const token = await requireToken(c);
  const org = c.req.param("org") ?? "";
  const known = await c.get("objects").get<{ login: string; id: number }>("org", org.toLowerCase());
  if (!known || (token.org && token.org.toLowerCase() !== org.toLowerCase())) throw notFound();
  if (!allows(token.permissions, need[0], need[1])) throw notAccessible();
  return { org: known, token };
}
