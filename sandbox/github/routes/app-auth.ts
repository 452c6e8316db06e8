import { createPublicKey } from "node:crypto";
import { Hono } from "hono";
import { errors, jwtVerify } from "jose";
import { allows, issueToken, requireToken, type SandboxEnv } from "../auth.ts";
import { GitHubError, validationFailed } from "../errors.ts";
import { apiOf, repositoryJson } from "../json.ts";
import type { App, Installation, Level, Org, Repo, Token } from "../model.ts";
import { paginate } from "../paging.ts";

const undecodable = () => new GitHubError(401, "A JSON web token could not be decoded");

/** The App flow: app JWT → installation token narrowed to repositories and permissions; listing; revocation. */
export function appAuthRoutes(): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();

  app.post("/app/installations/:id/access_tokens", async (c) => {
    const objects = c.get("objects");
    const jwt = /^bearer (\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    if (!jwt) throw undecodable();
    let appId: number;
    try {
      appId = Number(JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString()).iss);
    } catch {
      throw undecodable();
    }
    const registered = await objects.get<App>("app", String(appId));
    if (!registered) throw undecodable();
    try {
      const { payload } = await jwtVerify(jwt, createPublicKey(registered.publicKeyPem), {
        algorithms: ["RS256"],
      });
      if (!payload.exp || !payload.iat || payload.exp - payload.iat > 600)
        throw new GitHubError(401, "'Expiration time' claim ('exp') is too far in the future");
    } catch (error) {
      if (error instanceof GitHubError) throw error;
      if (error instanceof errors.JWTExpired)
        throw new GitHubError(
          401,
          "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
        );
      throw undecodable();
    }
    const installation = await objects.get<Installation>("installation", c.req.param("id"));
    if (!installation || installation.appId !== appId) throw new GitHubError(404, "Not Found");

    const body = (await c.req.json().catch(() => ({}))) as { repositories?: unknown; permissions?: unknown };
    const requested = (body.permissions ?? installation.permissions) as Record<string, Level>;
    for (const [name, level] of Object.entries(requested))
      if (!(level === "read" || level === "write") || !allows(installation.permissions, name, level))
        throw new GitHubError(422, "The permissions requested are not granted to this installation.");
    const available = await objects.list<Repo>("repo", `${installation.org.toLowerCase()}/`);
    let repositories: string[] | null = null;
    if (body.repositories !== undefined) {
      if (!Array.isArray(body.repositories) || body.repositories.length > 500)
        throw validationFailed([
          { resource: "InstallationAccessToken", field: "repositories", code: "invalid" },
        ]);
      repositories = body.repositories.map((r) => String(r).toLowerCase());
      if (repositories.some((r) => !available.some((a) => a.name.toLowerCase() === r)))
        throw new GitHubError(
          422,
          "There is at least one repository that does not exist or is not accessible to the parent installation.",
        );
    }
    const expiresAt = new Date(Date.now() + 60 * 60_000);
    const org = (await objects.get<Org>("org", installation.org.toLowerCase())) ?? {
      login: installation.org,
      id: 0,
    };
    const token = await issueToken(objects, {
      kind: "installation",
      installationId: installation.id,
      login: `app-${appId}[bot]`,
      org: installation.org,
      permissions: requested,
      repositories,
      expiresAt: expiresAt.toISOString(),
    });
    return c.json(
      {
        token,
        expires_at: expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
        permissions: requested,
        repository_selection: repositories ? "selected" : "all",
        ...(repositories
          ? {
              repositories: available
                .filter((a) => repositories?.includes(a.name.toLowerCase()))
                .map((r) => repositoryJson(apiOf(c), r, org)),
            }
          : {}),
      },
      201,
    );
  });

  app.get("/installation/repositories", async (c) => {
    const token = await requireToken(c);
    if (token.kind !== "installation" || !token.org)
      throw new GitHubError(403, "This endpoint is for installation tokens");
    const objects = c.get("objects");
    const org = (await objects.get<Org>("org", token.org.toLowerCase())) ?? { login: token.org, id: 0 };
    const all = (await objects.list<Repo>("repo", `${token.org.toLowerCase()}/`)).filter(
      (r) => !token.repositories || token.repositories.includes(r.name.toLowerCase()),
    );
    return c.json({
      total_count: all.length,
      repository_selection: token.repositories ? "selected" : "all",
      repositories: paginate(c, all).map((r) => repositoryJson(apiOf(c), r, org)),
    });
  });

  app.delete("/installation/token", async (c) => {
    const token = await requireToken(c);
    await c.get("objects").put<Token>("token", token.hash, { ...token, revoked: true });
    return c.body(null, 204);
  });

  return app;
}
