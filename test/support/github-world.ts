import { afterAll, beforeAll } from "vitest";
import { GitHubFactory } from "../../mcp-servers/github/factory.ts";
import { type Backend, freshDatabase, type TestDatabase } from "./backends.ts";
import { type RunningGitHubSandbox, startGitHubSandbox } from "./github-sandbox.ts";

/**
 * A fresh database with the GitHub sandbox on it for one test file (set up before its tests, torn down
 * after), and factories over it that skip GitHub's pacing.
 */
export function githubSandboxWorld(
  backend: Backend,
  options: Omit<Parameters<typeof startGitHubSandbox>[0], "database">,
) {
  const world = {} as { database: TestDatabase; sandbox: RunningGitHubSandbox };
  beforeAll(async () => {
    world.database = await freshDatabase(backend);
    world.sandbox = await startGitHubSandbox({ database: world.database, ...options });
  });
  afterAll(async () => {
    await world.sandbox.close();
    await world.database.dispose();
  });
  const factory = (token: string) =>
    new GitHubFactory({ baseUrl: world.sandbox.url, token, paced: false, retryAfterUnitMs: 5 });
  return { world, factory };
}
