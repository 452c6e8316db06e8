import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Database } from "../controller/db/database.ts";
import { apply } from "../mcp-servers/github/blueprint/apply.ts";
import { GitHubFactory } from "../mcp-servers/github/factory.ts";
import { githubSandbox } from "../sandbox/github/server.ts";
import { GitHubWorld } from "../sandbox/github/world.ts";
import { SandboxStore } from "../sandbox/store.ts";
import { fmt, timed } from "./stats.ts";

export interface BlueprintFigures {
  backend: string;
  repos: number;
  applyMs: number;
  requests: number;
  writes: number;
  replanMs: number;
  replanRequests: number;
}

const ci =
  "name: ci\non: [pull_request]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";

/** `n` repositories, each with a scaffold, protection, a secret and a variable; two teams with roles on all. */
function blueprintOf(org: string, n: number) {
  const names = Array.from({ length: n }, (_, i) => `${org}-svc-${i}`);
  return {
    org,
    repos: names.map((name) => ({
      name,
      files: [
        { path: "package.json", content: `{ "name": "${name}" }\n` },
        { path: ".github/workflows/ci.yml", content: ci },
        { path: ".github/CODEOWNERS", content: `* @${org}/developers\n` },
      ],
      protection: { branch: "main", requiredReviews: 1, requiredStatusChecks: ["ci"] },
      secrets: [{ name: "NPM_TOKEN", ref: "secret://bench/npm" }],
      variables: [{ name: "NODE_VERSION", value: "20" }],
    })),
    teams: ["Developers", "Reviewers"].map((team) => ({
      name: team,
      members: [{ user: "ada" }, { user: "grace" }],
      repos: names.map((repo) => ({ repo, permission: team === "Developers" ? "push" : "pull" })),
    })),
  };
}

/**
 * Applies blueprints of growing size to the GitHub sandbox over `database` through the real factory and
 * Octokit: wall time, HTTP requests made against the writes that are the least any client needs, and a
 * re-plan that finds nothing to do.
 */
export async function benchBlueprint(
  database: Database,
  backend: string,
  sizes: number[],
): Promise<BlueprintFigures[]> {
  const store = await SandboxStore.open(database, "github_sandbox");
  const world = new GitHubWorld(store);
  for (const login of ["ada", "grace"]) await world.addUser(login);
  const server = serve({ fetch: githubSandbox(store).fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const figures: BlueprintFigures[] = [];
  try {
    for (const n of sizes) {
      const org = `bench${n}x${Date.now().toString(36)}`;
      await world.addOrg(org);
      for (const login of ["ada", "grace"]) await world.addMember(org, login);
      let writes = 0;
      const factory = new GitHubFactory({
        baseUrl: url,
        token: await world.personalToken("ada"),
        paced: false,
        onRequest: (method) => {
          if (method !== "GET") writes++;
        },
      });
      const blueprint = blueprintOf(org, n);
      const applied = await timed(() =>
        apply(factory, blueprint, { secrets: async () => "bench-secret-value" }),
      );
      const before = factory.requests;
      const replanned = await timed(() => apply(factory, blueprint, { secrets: async () => "unused" }));
      figures.push({
        backend,
        repos: n,
        applyMs: applied.ms,
        requests: applied.value.calls,
        writes,
        replanMs: replanned.ms,
        replanRequests: factory.requests - before,
      });
      process.stderr.write(`  ${backend}: ${n} repositories applied in ${fmt(applied.ms / 1000, 1)} s\n`);
    }
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return figures;
}

export function formatBlueprint(rows: BlueprintFigures[]): Record<string, string>[] {
  return rows.map((r) => {
    const first = rows.find((x) => x.backend === r.backend) as BlueprintFigures;
    const perRepo = r.applyMs / r.repos;
    return {
      backend: r.backend,
      repos: fmt(r.repos),
      "apply s": fmt(r.applyMs / 1000, 1),
      "ms / repo": fmt(perRepo),
      "ms / repo vs smallest": `${fmt(perRepo / (first.applyMs / first.repos), 2)}×`,
      requests: fmt(r.requests),
      "writes (the minimum)": fmt(r.writes),
      "requests / minimum": `${fmt(r.requests / r.writes, 2)}×`,
      "no-op re-apply s": fmt(r.replanMs / 1000, 1),
      "re-apply requests (all reads)": fmt(r.replanRequests),
    };
  });
}
