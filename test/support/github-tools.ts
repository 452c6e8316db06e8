import { beforeAll } from "vitest";
import { githubTools } from "../../mcp-servers/github/server.ts";
import type { GitHubContext } from "../../mcp-servers/github/tools/context.ts";
import type { Backend } from "./backends.ts";
import { githubSandboxWorld } from "./github-world.ts";

const noSecrets = () => Promise.reject(new Error("this context resolves no secrets"));

/**
 * The GitHub sandbox with organisation `acme` (a template repository `acme-template`; ada its admin, grace a
 * member, linus outside it), tool contexts acting as ada and grace, and a runner that calls a tool as the gate
 * does — input parsed, `run`, the result parsed by the tool's strict output schema — remembering which ran.
 */
export function githubToolWorld(backend: Backend) {
  const { world, factory } = githubSandboxWorld(backend, {
    org: "acme",
    repositories: [],
    permissions: { metadata: "read" },
  });
  const as = {} as { ada: GitHubContext; grace: GitHubContext };
  const ran = new Set<string>();
  beforeAll(async () => {
    const w = world.sandbox.world;
    await w.addRepository("acme", "acme-template", { isTemplate: true });
    for (const login of ["ada", "grace", "linus"]) await w.addUser(login, `${login}@example.com`);
    await w.addMember("acme", "ada", "admin");
    await w.addMember("acme", "grace");
    as.ada = { factory: factory(await world.sandbox.personalToken("ada")), secrets: noSecrets };
    as.grace = { factory: factory(await world.sandbox.personalToken("grace")), secrets: noSecrets };
  });

  async function call<T = Record<string, unknown>>(
    context: GitHubContext,
    name: string,
    input: Record<string, unknown>,
  ): Promise<T> {
    const tool = githubTools.find((t) => t.name === name);
    if (!tool) throw new Error(`no tool ${name}`);
    const output = tool.output.parse(await tool.run(context, tool.input.parse(input)));
    ran.add(name);
    return output as T;
  }

  /** The tools of these toolsets that no call has run yet. */
  const notRun = (toolsets: string[]) =>
    githubTools.filter((t) => toolsets.includes(t.toolset) && !ran.has(t.name)).map((t) => t.name);

  return { world, as, call, notRun };
}
