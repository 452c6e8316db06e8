import type { Context } from "hono";
import { Hono } from "hono";
import { repoFor, type SandboxEnv } from "../auth.ts";
import { GitHubError } from "../errors.ts";
import { type Repo, repoKey } from "../model.ts";
import { assertWritable } from "./repos.ts";

const save = (c: Context<SandboxEnv>, repo: Repo, security: Partial<Repo["security"]>) =>
  c
    .get("objects")
    .put("repo", repoKey(repo.owner, repo.name), { ...repo, security: { ...repo.security, ...security } });

/** Dependabot alerts (vulnerability alerts) and automated security fixes; secret scanning is a repository setting. */
export function securityRoutes(): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();

  app.get("/repos/:owner/:repo/vulnerability-alerts", async (c) => {
    const { repo } = await repoFor(c, ["administration", "read"]);
    if (!repo.security.vulnerabilityAlerts) throw new GitHubError(404, "Vulnerability alerts are disabled.");
    return c.body(null, 204);
  });
  app.put("/repos/:owner/:repo/vulnerability-alerts", async (c) => {
    const { repo } = await repoFor(c, ["administration", "write"], { forUpdate: true });
    assertWritable(repo);
    await save(c, repo, { vulnerabilityAlerts: true });
    return c.body(null, 204);
  });
  app.delete("/repos/:owner/:repo/vulnerability-alerts", async (c) => {
    const { repo } = await repoFor(c, ["administration", "write"], { forUpdate: true });
    await save(c, repo, { vulnerabilityAlerts: false, automatedSecurityFixes: false });
    return c.body(null, 204);
  });

  app.get("/repos/:owner/:repo/automated-security-fixes", async (c) => {
    const { repo } = await repoFor(c, ["administration", "read"]);
    return c.json({ enabled: repo.security.automatedSecurityFixes, paused: false });
  });
  app.put("/repos/:owner/:repo/automated-security-fixes", async (c) => {
    const { repo } = await repoFor(c, ["administration", "write"], { forUpdate: true });
    assertWritable(repo);
    if (!repo.security.vulnerabilityAlerts)
      throw new GitHubError(422, "Automated security fixes require vulnerability alerts to be enabled.");
    await save(c, repo, { automatedSecurityFixes: true });
    return c.body(null, 204);
  });
  app.delete("/repos/:owner/:repo/automated-security-fixes", async (c) => {
    const { repo } = await repoFor(c, ["administration", "write"], { forUpdate: true });
    await save(c, repo, { automatedSecurityFixes: false });
    return c.body(null, 204);
  });

  return app;
}
