import type { Context } from "hono";
import { Hono } from "hono";
import { orgFor, repoFor, type SandboxEnv } from "../auth.ts";
import { GitHubError, notFound, validationFailed } from "../errors.ts";
import type { Repo } from "../model.ts";
import { paginate } from "../paging.ts";
import { openSealed, secretsKey } from "../sealed-box.ts";
import { assertWritable } from "./repos.ts";

type Body = Record<string, unknown>;
const NAME = /^(?!GITHUB_)(?![0-9])[A-Za-z0-9_]+$/i;
const stamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

/** Secrets are stored sealed, exactly as sent: the sandbox, like GitHub, can open them and nothing else can. */
interface StoredSecret {
  name: string;
  encryptedValue: string;
  keyId: string;
  visibility?: "all" | "private" | "selected";
  createdAt: string;
  updatedAt: string;
}
interface StoredVariable {
  name: string;
  value: string;
  visibility?: "all" | "private" | "selected";
  createdAt: string;
  updatedAt: string;
}

const secretJson = (s: StoredSecret) => ({
  name: s.name,
  created_at: s.createdAt,
  updated_at: s.updatedAt,
  ...(s.visibility ? { visibility: s.visibility } : {}),
});
const variableJson = (v: StoredVariable) => ({
  name: v.name,
  value: v.value,
  created_at: v.createdAt,
  updated_at: v.updatedAt,
  ...(v.visibility ? { visibility: v.visibility } : {}),
});

function checkName(name: string, resource: string): string {
  if (!NAME.test(name) || name.length > 255)
    throw validationFailed([{ resource, field: "name", code: "invalid", message: "Name is invalid" }]);
  return name.toUpperCase();
}

/** Where a request's secrets and variables live: a repository (`repo:<id>`) or an organisation (`org:<login>`). */
async function scopeOf(c: Context<SandboxEnv>, kind: "secrets" | "variables", level: "read" | "write") {
  if (c.req.param("org")) {
    const { org } = await orgFor(c, [
      kind === "secrets" ? "organization_secrets" : "organization_actions_variables",
      level,
    ]);
    return { owner: `org:${org.login.toLowerCase()}`, org: true };
  }
  const { repo } = await repoFor(c, [kind === "secrets" ? "secrets" : "actions_variables", level]);
  if (level === "write") assertWritable(repo as Repo);
  return { owner: `repo:${repo.id}`, org: false };
}

/** Actions secrets (sealed with the public key) and variables, at repository and organisation level. */
export function actionsRoutes(): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();
  for (const base of ["/repos/:owner/:repo/actions", "/orgs/:org/actions"]) {
    app.get(`${base}/secrets/public-key`, async (c) => {
      const { owner } = await scopeOf(c, "secrets", "read");
      const key = await secretsKey(c.get("objects"), owner);
      return c.json({ key_id: key.keyId, key: key.publicKey });
    });

    app.put(`${base}/secrets/:name`, async (c) => {
      const { owner, org } = await scopeOf(c, "secrets", "write");
      const name = checkName(c.req.param("name") ?? "", "Secret");
      const body = (await c.req.json().catch(() => ({}))) as Body;
      if (typeof body.encrypted_value !== "string" || typeof body.key_id !== "string")
        throw validationFailed([{ resource: "Secret", field: "encrypted_value", code: "missing_field" }]);
      const objects = c.get("objects");
      const key = await secretsKey(objects, owner);
      if (body.key_id !== key.keyId || (await openSealed(key, body.encrypted_value)) === undefined)
        throw new GitHubError(422, "Bad request: the secret could not be decrypted with the key it names");
      const existing = await objects.get<StoredSecret>("secret", `${owner}/${name}`);
      const visibility = org ? ((body.visibility as StoredSecret["visibility"]) ?? "private") : undefined;
      await objects.put<StoredSecret>("secret", `${owner}/${name}`, {
        name,
        encryptedValue: body.encrypted_value,
        keyId: key.keyId,
        ...(visibility ? { visibility } : {}),
        createdAt: existing?.createdAt ?? stamp(),
        updatedAt: stamp(),
      });
      return existing ? c.body(null, 204) : c.json({}, 201);
    });

    app.get(`${base}/secrets`, async (c) => {
      const { owner } = await scopeOf(c, "secrets", "read");
      const all = await c.get("objects").list<StoredSecret>("secret", `${owner}/`);
      return c.json({ total_count: all.length, secrets: paginate(c, all).map(secretJson) });
    });

    app.get(`${base}/secrets/:name`, async (c) => {
      const { owner } = await scopeOf(c, "secrets", "read");
      const found = await c
        .get("objects")
        .get<StoredSecret>("secret", `${owner}/${(c.req.param("name") ?? "").toUpperCase()}`);
      if (!found) throw notFound();
      return c.json(secretJson(found));
    });

    app.delete(`${base}/secrets/:name`, async (c) => {
      const { owner } = await scopeOf(c, "secrets", "write");
      if (!(await c.get("objects").delete("secret", `${owner}/${(c.req.param("name") ?? "").toUpperCase()}`)))
        throw notFound();
      return c.body(null, 204);
    });

    app.post(`${base}/variables`, async (c) => {
      const { owner, org } = await scopeOf(c, "variables", "write");
      const body = (await c.req.json().catch(() => ({}))) as Body;
      const name = checkName(typeof body.name === "string" ? body.name : "", "Variable");
      if (typeof body.value !== "string")
        throw validationFailed([{ resource: "Variable", field: "value", code: "missing_field" }]);
      const visibility = org ? ((body.visibility as StoredVariable["visibility"]) ?? "private") : undefined;
      const created = await c.get("objects").create<StoredVariable>("variable", `${owner}/${name}`, {
        name,
        value: body.value,
        ...(visibility ? { visibility } : {}),
        createdAt: stamp(),
        updatedAt: stamp(),
      });
      if (!created) throw new GitHubError(409, "Already exists - Variable already exists");
      return c.json({}, 201);
    });

    app.patch(`${base}/variables/:name`, async (c) => {
      const { owner } = await scopeOf(c, "variables", "write");
      const objects = c.get("objects");
      const key = `${owner}/${(c.req.param("name") ?? "").toUpperCase()}`;
      const existing = await objects.get<StoredVariable>("variable", key);
      if (!existing) throw notFound();
      const body = (await c.req.json().catch(() => ({}))) as Body;
      await objects.put<StoredVariable>("variable", key, {
        ...existing,
        ...(typeof body.value === "string" ? { value: body.value } : {}),
        updatedAt: stamp(),
      });
      return c.body(null, 204);
    });

    app.get(`${base}/variables`, async (c) => {
      const { owner } = await scopeOf(c, "variables", "read");
      const all = await c.get("objects").list<StoredVariable>("variable", `${owner}/`);
      return c.json({ total_count: all.length, variables: paginate(c, all, 10).map(variableJson) });
    });

    app.get(`${base}/variables/:name`, async (c) => {
      const { owner } = await scopeOf(c, "variables", "read");
      const found = await c
        .get("objects")
        .get<StoredVariable>("variable", `${owner}/${(c.req.param("name") ?? "").toUpperCase()}`);
      if (!found) throw notFound();
      return c.json(variableJson(found));
    });

    app.delete(`${base}/variables/:name`, async (c) => {
      const { owner } = await scopeOf(c, "variables", "write");
      if (
        !(await c.get("objects").delete("variable", `${owner}/${(c.req.param("name") ?? "").toUpperCase()}`))
      )
        throw notFound();
      return c.body(null, 204);
    });
  }
  return app;
}
