import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { backends, freshDatabase, type TestDatabase } from "../../../test/support/backends.ts";
import { failure } from "../../../test/support/failure.ts";
import { type RunningGitHubSandbox, startGitHubSandbox } from "../../../test/support/github-sandbox.ts";
import type { GitHubFactoryError } from "../errors.ts";
import { GitHubFactory } from "../factory.ts";
import { apply } from "./apply.ts";
import { plan } from "./plan.ts";

const ci =
  "name: ci\non: [pull_request]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm test\n";
const SECRET_VALUES: Record<string, string> = {
  "secret://acme/npm-token": "npm_valueThatMustNotLeak0001",
  "secret://acme/shared": "shared_valueThatMustNotLeak02",
};

const blueprint = (org: string) => ({
  org,
  repos: [
    {
      name: `${org}-api`,
      description: "the API",
      files: [
        { path: "package.json", content: `{ "name": "${org}-api" }\n` },
        { path: ".github/workflows/ci.yml", content: ci },
        { path: ".github/CODEOWNERS", content: "* @acme/developers\n" },
      ],
      protection: {
        branch: "main",
        requiredReviews: 1,
        requiredStatusChecks: ["ci"],
        requireCodeOwnerReviews: true,
      },
      secrets: [{ name: "NPM_TOKEN", ref: "secret://acme/npm-token" }],
      variables: [{ name: "NODE_VERSION", value: "20" }],
      environments: [{ name: "production", reviewers: [{ team: "developers" }] }],
      security: {},
    },
    { name: `${org}-web`, template: { owner: "acme", repo: "template-web" } },
  ],
  teams: [
    {
      name: "Developers",
      members: [{ user: "grace", role: "maintainer" }, { user: "ada" }],
      repos: [
        { repo: `${org}-api`, permission: "push" },
        { repo: `${org}-web`, permission: "push" },
      ],
    },
  ],
  orgSecrets: [{ name: "SHARED", ref: "secret://acme/shared" }],
});

describe.each(backends)("GitHub blueprints: plan, apply, re-plan on %s", (backend) => {
  let database: TestDatabase;
  let sandbox: RunningGitHubSandbox;
  let factory: GitHubFactory;
  const resolved: string[] = [];
  const secrets = async (ref: string) => {
    resolved.push(ref);
    return SECRET_VALUES[ref] as string;
  };

  beforeAll(async () => {
    database = await freshDatabase(backend);
    sandbox = await startGitHubSandbox({
      database,
      org: "acme",
      repositories: [],
      permissions: { metadata: "read" },
    });
    await sandbox.world.addRepository("acme", "template-web", { isTemplate: true });
    for (const login of ["ada", "grace"]) {
      await sandbox.world.addUser(login);
      await sandbox.world.addMember("acme", login);
    }
    await sandbox.world.addOrg("globex");
    factory = new GitHubFactory({
      baseUrl: sandbox.url,
      token: await sandbox.personalToken("ada"),
      paced: false,
      retryAfterUnitMs: 5,
    });
  });
  afterAll(async () => {
    await sandbox.close();
    await database.dispose();
  });

  it("plans every change without making one, marking what needs approval", async () => {
    const planned = await plan(factory, blueprint("acme"), {
      needsApproval: (tool) => tool === "secrets_set_secret",
    });
    expect(planned.steps.map((s) => `${s.action} ${s.tool} ${s.resource}`)).toEqual([
      "create teams_create_team acme/teams/developers",
      "create teams_add_member acme/teams/developers/grace",
      "create teams_add_member acme/teams/developers/ada",
      "create repos_create_repository acme/acme-api",
      "create contents_commit_files acme/acme-api@main files",
      "create protection_update_branch_protection acme/acme-api@main",
      "create secrets_set_secret acme/acme-api/secrets/NPM_TOKEN",
      "create variables_set_variable acme/acme-api/variables/NODE_VERSION",
      "create environments_set_environment acme/acme-api/environments/production",
      "create security_update_settings acme/acme-api/security",
      "create repos_create_from_template acme/acme-web",
      "update repos_update_repository acme/acme-web",
      "create teams_set_repo_permission acme/teams/developers -> acme/acme-api",
      "create teams_set_repo_permission acme/teams/developers -> acme/acme-web",
      "create secrets_set_secret acme/secrets/SHARED",
    ]);
    expect(planned.steps.filter((s) => s.needsApproval).map((s) => s.resource)).toEqual([
      "acme/acme-api/secrets/NPM_TOKEN",
      "acme/secrets/SHARED",
    ]);
    expect(planned.writeCalls).toBeGreaterThan(planned.steps.length);
    expect(JSON.stringify(planned)).not.toContain(SECRET_VALUES["secret://acme/npm-token"]);
    expect((await factory.call("repos_list_repositories", { owner: "acme" })).map((r) => r.name)).toEqual([
      "template-web",
    ]);
    expect(resolved).toEqual([]);
  });

  it("applies the blueprint, leaving steps that need approval waiting until approved", async () => {
    const needsApproval = (tool: string) => tool === "secrets_set_secret";
    const first = await apply(factory, blueprint("acme"), { secrets, needsApproval });
    expect(first.applied).toHaveLength(13);
    expect(first.waiting.map((s) => s.resource)).toEqual([
      "acme/acme-api/secrets/NPM_TOKEN",
      "acme/secrets/SHARED",
    ]);
    expect(resolved).toEqual([]);

    const progress: string[] = [];
    const second = await apply(factory, blueprint("acme"), {
      secrets,
      needsApproval,
      approved: () => true,
      onStep: (step, index, total) => progress.push(`${index + 1}/${total} ${step.tool}`),
    });
    expect(progress).toEqual(["1/2 secrets_set_secret", "2/2 secrets_set_secret"]);
    expect(second.waiting).toEqual([]);
    expect(resolved).toEqual(["secret://acme/npm-token", "secret://acme/shared"]);
    const api = await factory.call("repos_get_repository", { owner: "acme", repo: "acme-api" });
    expect(await sandbox.openSecret({ repoId: api.id }, "NPM_TOKEN")).toBe(
      SECRET_VALUES["secret://acme/npm-token"],
    );
    expect(await sandbox.openSecret({ org: "acme" }, "SHARED")).toBe(SECRET_VALUES["secret://acme/shared"]);

    // What the blueprint says is now true.
    expect(
      await factory.call("protection_get_branch_protection", {
        owner: "acme",
        repo: "acme-api",
        branch: "main",
      }),
    ).toMatchObject({
      requiredReviews: 1,
      requiredStatusChecks: ["ci"],
      requireCodeOwnerReviews: true,
    });
    expect(
      (
        await factory.call("contents_get_file", {
          owner: "acme",
          repo: "acme-api",
          path: ".github/workflows/ci.yml",
        })
      ).text,
    ).toBe(ci);
    expect(
      (await factory.call("contents_get_file", { owner: "acme", repo: "acme-web", path: "README.md" })).text,
    ).toBe("# template-web\n");
    expect(await factory.call("repos_get_repository", { owner: "acme", repo: "acme-web" })).toMatchObject({
      deleteBranchOnMerge: true,
      allowMergeCommit: false,
    });
    expect(await factory.call("teams_list_repo_permissions", { owner: "acme", team: "developers" })).toEqual([
      { repo: "acme-api", permission: "push" },
      { repo: "acme-web", permission: "push" },
    ]);
    expect(await factory.call("security_get_settings", { owner: "acme", repo: "acme-api" })).toEqual({
      vulnerabilityAlerts: true,
      automatedSecurityFixes: true,
      secretScanning: true,
      secretScanningPushProtection: true,
    });
  });

  it("re-plans to nothing, and a second apply changes nothing", async () => {
    const again = await plan(factory, blueprint("acme"));
    expect(again.steps).toEqual([]);
    expect(again.unchanged).toContain("acme/acme-api@main files");
    const reapplied = await apply(factory, blueprint("acme"), { secrets });
    expect(reapplied.applied).toEqual([]);
    expect(reapplied.calls).toBe(again.readCalls);
  });

  it("plans only the drift after someone changes things by hand", async () => {
    await factory.call("variables_set_variable", {
      owner: "acme",
      repo: "acme-api",
      name: "NODE_VERSION",
      value: "18",
    });
    await factory.call("protection_delete_branch_protection", {
      owner: "acme",
      repo: "acme-api",
      branch: "main",
    });
    const drift = await plan(factory, blueprint("acme"));
    expect(drift.steps.map((s) => `${s.action} ${s.tool}`)).toEqual([
      "create protection_update_branch_protection",
      "update variables_set_variable",
    ]);
    expect(drift.steps[1]?.changes).toEqual({ value: ["18", "20"] });
    await apply(factory, blueprint("acme"), { secrets });
    expect((await plan(factory, blueprint("acme"))).steps).toEqual([]);
  });

  it("resumes an apply that failed half-way, creating nothing twice", async () => {
    await sandbox.world.injectFault({
      method: "PUT",
      path: "/repos/globex/globex-api/branches/main/protection",
      status: 502,
      message: "Server Error",
      times: 10,
    });
    const crashed = await failure<GitHubFactoryError>(apply(factory, blueprint("globex"), { secrets }));
    expect(crashed).toMatchObject({
      operation: "protection_update_branch_protection",
      resource: "globex/globex-api@main",
      status: 502,
    });
    expect((await factory.call("repos_list_repositories", { owner: "globex" })).map((r) => r.name)).toEqual([
      "globex-api",
    ]);
    const head = await factory.call("branches_get_branch", {
      owner: "globex",
      repo: "globex-api",
      branch: "main",
    });

    await sandbox.world.injectFault({
      method: "PUT",
      path: "/repos/globex/globex-api/branches/main/protection",
      status: 502,
      times: 0,
    });
    const resumed = await apply(factory, blueprint("globex"), { secrets });
    expect(resumed.applied.map((s) => s.tool)).not.toContain("repos_create_repository");
    expect(resumed.applied.map((s) => s.tool)).not.toContain("contents_commit_files");
    expect(resumed.applied[0]?.tool).toBe("protection_update_branch_protection");
    expect(
      (await factory.call("branches_get_branch", { owner: "globex", repo: "globex-api", branch: "main" }))
        .sha,
    ).toBe(head.sha);
    expect(
      (await factory.call("repos_list_repositories", { owner: "globex" })).map((r) => r.name).sort(),
    ).toEqual(["globex-api", "globex-web"]);
    expect((await plan(factory, blueprint("globex"))).steps).toEqual([]);
  });

  it("waits out a secondary rate limit, honouring Retry-After", async () => {
    await sandbox.world.addOrg("initech");
    await sandbox.world.injectFault({
      method: "POST",
      path: "/orgs/initech/repos",
      status: 403,
      message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
      headers: { "retry-after": "2" },
    });
    const result = await apply(factory, { org: "initech", repos: [{ name: "initech-api" }] }, { secrets });
    expect(result.applied.map((s) => s.tool)).toEqual(["repos_create_repository"]);
    // One read, the refused create, and the create again after the wait.
    expect(result.calls).toBe(result.plan.readCalls + 2);
  });

  it("refuses a blueprint with a secret value or a team on an unknown repository, naming the field", async () => {
    const withValue = {
      org: "acme",
      repos: [{ name: "x", secrets: [{ name: "TOKEN", ref: "ghp_plainvalue" }] }],
    };
    const error = await failure<ZodError>(plan(factory, withValue));
    expect(error).toBeInstanceOf(ZodError);
    expect(error.issues[0]?.path).toEqual(["repos", 0, "secrets", 0, "ref"]);
    const orphan = { org: "acme", teams: [{ name: "t", repos: [{ repo: "ghost", permission: "pull" }] }] };
    expect((await failure<ZodError>(plan(factory, orphan))).issues[0]?.message).toBe(
      "ghost is not in the blueprint",
    );
  });
});
