import { createHash } from "node:crypto";
import { type Context, Hono } from "hono";
import { errors, jwtVerify } from "jose";
import { githubError } from "./errors.ts";
import type { GitHubSandboxState, Level, SandboxToken } from "./state.ts";

const LEVELS: Record<Level, number> = { read: 1, write: 2 };

/** The installation token on the request, if it is live. */
export function tokenOf(c: Context, state: GitHubSandboxState): SandboxToken | undefined {
  const match = /^(?:token|bearer) (\S+)$/i.exec(c.req.header("authorization") ?? "");
  return match?.[1] ? state.liveToken(match[1]) : undefined;
}

/** The App authentication flow: app JWT → installation token narrowed to repositories and permissions. */
export function appAuthRoutes(state: GitHubSandboxState): Hono {
  const app = new Hono();

  app.post("/app/installations/:id/access_tokens", async (c) => {
    const jwt = /^bearer (\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const installation = state.installations.get(Number(c.req.param("id")));
    if (!jwt) return githubError(c, 401, "A JSON web token could not be decoded");
    const appId = Number(
      JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString() || "{}").iss,
    );
    const key = state.apps.get(appId);
    if (!key) return githubError(c, 401, "A JSON web token could not be decoded");
    try {
      const { payload } = await jwtVerify(jwt, key, { algorithms: ["RS256"] });
      if (!payload.exp || !payload.iat || payload.exp - payload.iat > 600)
        return githubError(c, 401, "'Expiration time' claim ('exp') is too far in the future");
    } catch (error) {
      const message =
        error instanceof errors.JWTExpired
          ? "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"
          : "A JSON web token could not be decoded";
      return githubError(c, 401, message);
    }
    if (!installation || installation.appId !== appId) return githubError(c, 404, "Not Found");

    const body = (await c.req.json().catch(() => ({}))) as {
      repositories?: unknown;
      permissions?: Record<string, unknown>;
    };
    const requested = body.permissions ?? installation.permissions;
    for (const [name, level] of Object.entries(requested)) {
      const granted = installation.permissions[name];
      if (!granted || !(level === "read" || level === "write") || LEVELS[level] > LEVELS[granted])
        return githubError(c, 422, "The permissions requested are not granted to this installation.");
    }
    const available = state.repositoriesOf(installation.org);
    let repositories: string[] | null = null;
    if (body.repositories !== undefined) {
      if (!Array.isArray(body.repositories) || body.repositories.length > 500)
        return githubError(c, 422, "Invalid request.", [
          { resource: "InstallationAccessToken", field: "repositories", code: "invalid" },
        ]);
      repositories = body.repositories.map(String);
      if (repositories.some((r) => !available.some((a) => a.name === r)))
        return githubError(
          c,
          422,
          "There is at least one repository that does not exist or is not accessible to the parent installation.",
        );
    }
    const issued = state.issueToken({
      installationId: installation.id,
      permissions: requested as Record<string, Level>,
      repositories,
      expiresAt: new Date(Date.now() + 60 * 60_000),
    });
    return c.json(
      {
        token: issued.token,
        expires_at: issued.expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
        permissions: issued.permissions,
        repository_selection: repositories ? "selected" : "all",
        ...(repositories
          ? { repositories: available.filter((a) => repositories?.includes(a.name)).map(repositoryJson) }
          : {}),
      },
      201,
    );
  });

  app.get("/installation/repositories", (c) => {
    const token = tokenOf(c, state);
    if (!token) return githubError(c, 401, "Bad credentials");
    const installation = state.installations.get(token.installationId);
    const all = state
      .repositoriesOf(installation?.org ?? "")
      .filter((r) => !token.repositories || token.repositories.includes(r.name));
    const perPage = Math.min(100, Number(c.req.query("per_page") ?? 30) || 30);
    const page = Math.max(1, Number(c.req.query("page") ?? 1) || 1);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    if (page < last) {
      const url = new URL(c.req.url);
      const link = (p: number) => {
        url.searchParams.set("page", String(p));
        url.searchParams.set("per_page", String(perPage));
        return url.toString();
      };
      c.header("link", `<${link(page + 1)}>; rel="next", <${link(last)}>; rel="last"`);
    }
    return c.json({
      total_count: all.length,
      repository_selection: token.repositories ? "selected" : "all",
      repositories: all.slice((page - 1) * perPage, page * perPage).map(repositoryJson),
    });
  });

  app.delete("/installation/token", (c) => {
    const token = tokenOf(c, state);
    if (!token) return githubError(c, 401, "Bad credentials");
    token.revoked = true;
    return c.body(null, 204);
  });

  return app;
}

export function repositoryJson(r: { id: number; name: string; owner: string }) {
  return {
    id: r.id,
    node_id: createHash("sha1").update(`repo:${r.id}`).digest("base64url").slice(0, 16),
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    private: true,
    owner: { login: r.owner, type: "Organization" },
  };
}
