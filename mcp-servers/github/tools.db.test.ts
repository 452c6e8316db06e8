import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { AgentClient } from "../../controller/client/agent-client.ts";
import { tenants } from "../../controller/db/schema.ts";
import { asPlatform } from "../../controller/db/scope.ts";
import { ALL_WRITE } from "../../sandbox/github/world.ts";
import { type TestApp, testApp } from "../../test/support/app.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { failure } from "../../test/support/failure.ts";
import { type RunningGitHubSandbox, startGitHubSandbox } from "../../test/support/github-sandbox.ts";
import { githubSandboxWorld } from "../../test/support/github-world.ts";
import { GitHubFactoryError } from "./errors.ts";
import { blobSha } from "./operations/contents.ts";
import { githubServer, githubTools } from "./server.ts";
import type { GitHubContext } from "./tools/context.ts";

const api = { owner: "acme", repo: "acme-api" };
const sha = expect.stringMatching(/^[0-9a-f]{40}$/);
const ci =
  "name: ci\non: [pull_request]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";
const NPM_TOKEN = "npm_valueThatMustNotLeak0001";
const noSecrets = () => Promise.reject(new Error("this context resolves no secrets"));

describe.each(backends)("the GitHub tools against the sandbox on %s", (backend) => {
  const { world, factory } = githubSandboxWorld(backend, {
    org: "acme",
    repositories: [],
    permissions: { metadata: "read" },
  });
  const ran = new Set<string>();
  let ada: GitHubContext;
  let grace: GitHubContext;

  /** Runs a tool as the gate would (input parsed, then `run`) and checks the result against its strict output schema. */
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

  beforeAll(async () => {
    const w = world.sandbox.world;
    await w.addRepository("acme", "acme-template", { isTemplate: true });
    for (const login of ["ada", "grace", "linus"]) await w.addUser(login, `${login}@example.com`);
    await w.addMember("acme", "ada", "admin");
    await w.addMember("acme", "grace");
    ada = { factory: factory(await world.sandbox.personalToken("ada")), secrets: noSecrets };
    grace = { factory: factory(await world.sandbox.personalToken("grace")), secrets: noSecrets };
  });

  it("creates repositories, blank and from a template, reads, lists and updates them", async () => {
    const created = await call(ada, "repos_create_repository", { ...api, description: "the API" });
    expect(created).toEqual({
      id: expect.any(Number),
      owner: "acme",
      name: "acme-api",
      fullName: "acme/acme-api",
      description: "the API",
      private: true,
      visibility: "private",
      defaultBranch: "main",
      archived: false,
      isTemplate: false,
      deleteBranchOnMerge: false,
      allowSquashMerge: true,
      allowMergeCommit: true,
      allowRebaseMerge: true,
      url: expect.stringMatching(/\/acme\/acme-api$/),
    });
    expect(
      await call(ada, "repos_create_from_template", {
        templateOwner: "acme",
        templateRepo: "acme-template",
        owner: "acme",
        repo: "acme-web",
      }),
    ).toMatchObject({ fullName: "acme/acme-web", private: true, isTemplate: false });
    expect(await call(ada, "repos_get_repository", api)).toEqual(created);
    const listed = await call<{ items: { name: string }[] }>(ada, "repos_list_repositories", {
      owner: "acme",
    });
    expect(listed.items.map((r) => r.name).sort()).toEqual(["acme-api", "acme-template", "acme-web"]);
    expect(
      await call(ada, "repos_update_repository", {
        ...api,
        deleteBranchOnMerge: true,
        allowMergeCommit: false,
      }),
    ).toEqual({ ...created, deleteBranchOnMerge: true, allowMergeCommit: false });
  });

  it("writes, reads, lists and deletes files, commits several at once and sets CODEOWNERS", async () => {
    const readme = "# acme-api\n\nThe API.\n";
    const written = await call(ada, "contents_create_or_update_file", {
      ...api,
      path: "README.md",
      content: readme,
      message: "Describe the API",
    });
    expect(written).toEqual({ path: "README.md", sha: blobSha(readme), commitSha: sha, changed: true });
    expect(
      await call(ada, "contents_create_or_update_file", {
        ...api,
        path: "README.md",
        content: readme,
        message: "again",
      }),
    ).toEqual({ path: "README.md", sha: blobSha(readme), commitSha: null, changed: false });
    expect(await call(ada, "contents_get_file", { ...api, path: "README.md" })).toEqual({
      path: "README.md",
      sha: blobSha(readme),
      size: Buffer.byteLength(readme),
      text: readme,
    });
    expect(
      await call(ada, "contents_commit_files", {
        ...api,
        branch: "main",
        message: "Scaffold",
        files: [
          { path: ".github/workflows/ci.yml", content: ci },
          { path: "src/index.ts", content: "export {};\n" },
          { path: "README.md", content: readme },
          { path: "OLD.md", delete: true },
        ],
      }),
    ).toEqual({ commitSha: sha, changed: true, files: [".github/workflows/ci.yml", "src/index.ts"] });
    expect(
      await call(ada, "contents_delete_file", { ...api, path: "src/index.ts", message: "Not yet" }),
    ).toEqual({ path: "src/index.ts", sha: null, commitSha: sha, changed: true });
    expect(
      await call(ada, "contents_delete_file", { ...api, path: "src/index.ts", message: "Not yet" }),
    ).toEqual({ path: "src/index.ts", sha: null, commitSha: null, changed: false });
    const owners = "# Managed by startup-factory\n* @acme/acme-developers\n";
    expect(
      await call(ada, "codeowners_set_codeowners", {
        ...api,
        rules: [{ pattern: "*", owners: ["@acme/acme-developers"] }],
      }),
    ).toEqual({ path: ".github/CODEOWNERS", sha: blobSha(owners), commitSha: sha, changed: true });
    const files = await call<{ items: { path: string; sha: string }[] }>(ada, "contents_list_files", {
      ...api,
      branch: "main",
    });
    expect([...files.items].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: ".github/CODEOWNERS", sha: blobSha(owners) },
      { path: ".github/workflows/ci.yml", sha: blobSha(ci) },
      { path: "README.md", sha: blobSha(readme) },
    ]);
  });

  it("protects the default branch, creates branches and manages rulesets", async () => {
    const main = { ...api, branch: "main" };
    expect(await call(ada, "protection_get_branch_protection", main)).toEqual({ protection: null });
    const protection = {
      requiredReviews: 1,
      requireCodeOwnerReviews: false,
      dismissStaleReviews: true,
      requiredStatusChecks: null,
      strictStatusChecks: false,
      enforceAdmins: true,
      allowForcePushes: false,
      allowDeletions: false,
      requiredLinearHistory: false,
      requiredConversationResolution: false,
    };
    expect(await call(ada, "protection_update_branch_protection", { ...main, requiredReviews: 1 })).toEqual(
      protection,
    );
    expect(await call(ada, "protection_get_branch_protection", main)).toEqual({ protection });
    const head = await call<{ sha: string }>(ada, "branches_get_branch", main);
    expect(head).toEqual({ name: "main", sha, protected: true });
    expect(await call(ada, "branches_create_branch", { ...api, branch: "feature/login" })).toEqual({
      name: "feature/login",
      sha: head.sha,
      protected: false,
    });
    const branches = await call<{ items: { name: string }[] }>(ada, "branches_list_branches", api);
    expect(branches.items.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: "feature/login", sha: head.sha, protected: false },
      { name: "main", sha: head.sha, protected: true },
    ]);
    const ruleset = await call<{ id: number }>(ada, "protection_set_ruleset", {
      ...api,
      name: "releases",
      branches: ["release/*"],
      requiredReviews: 2,
    });
    expect(ruleset).toEqual({
      id: expect.any(Number),
      name: "releases",
      created: true,
      rules: ["non_fast_forward", "deletion", "pull_request"],
    });
    expect(await call(ada, "protection_list_rulesets", api)).toEqual({
      items: [{ id: ruleset.id, name: "releases", enforcement: "active" }],
    });
    expect(await call(ada, "protection_delete_ruleset", { ...api, name: "releases" })).toEqual({
      name: "releases",
      deleted: true,
    });
    expect(await call(ada, "protection_delete_ruleset", { ...api, name: "releases" })).toEqual({
      name: "releases",
      deleted: false,
    });
  });

  it("refuses bad input naming the field, and a second create adds nothing (GitHub refuses the taken name)", async () => {
    const bad = await failure<ZodError>(
      call(ada, "repos_create_repository", { owner: "acme", repo: "no spaces" }),
    );
    expect(bad).toBeInstanceOf(ZodError);
    expect(bad.issues.map((i) => i.path)).toEqual([["repo"]]);
    for (const [name, input] of [
      ["repos_create_repository", api],
      ["branches_create_branch", { ...api, branch: "feature/login", from: "main" }],
    ] as const) {
      const refused = await failure<GitHubFactoryError>(call(ada, name, input));
      expect(refused, name).toBeInstanceOf(GitHubFactoryError);
      expect(refused, name).toMatchObject({ operation: name, status: 422 });
    }
  });

  it("takes a change through a pull request: opened, read, reviewed by someone else, merged", async () => {
    await call(ada, "contents_create_or_update_file", {
      ...api,
      branch: "feature/login",
      path: "src/login.ts",
      content: "export const login = () => true;\n",
      message: "Log in",
    });
    const opened = await call<{ number: number; headSha: string }>(ada, "pulls_create_pull_request", {
      ...api,
      title: "Log in",
      head: "feature/login",
      base: "main",
      body: "Adds logging in.",
    });
    expect(opened).toEqual({
      number: expect.any(Number),
      title: "Log in",
      body: "Adds logging in.",
      state: "open",
      head: "feature/login",
      base: "main",
      headSha: sha,
      merged: false,
      author: "ada",
      draft: false,
    });
    const ref = { ...api, number: opened.number };
    expect(await call(ada, "pulls_get_pull_request", ref)).toEqual(opened);
    expect(await call(ada, "pulls_list_pull_requests", api)).toEqual({ items: [opened] });
    expect(
      await call(grace, "pulls_create_review", { ...ref, event: "APPROVE", body: "Looks right" }),
    ).toEqual({ id: expect.any(Number), state: "APPROVED", author: "grace" });
    expect(await call(ada, "pulls_merge_pull_request", { ...ref, expectedHeadSha: opened.headSha })).toEqual({
      merged: true,
      sha,
    });
    expect(await call(ada, "pulls_list_pull_requests", { ...api, state: "closed" })).toEqual({
      items: [{ ...opened, state: "closed", merged: true }],
    });
  });

  it("keeps a backlog: labels and issues, opened, read, listed and closed", async () => {
    expect(await call(ada, "issues_set_label", { ...api, name: "security", color: "D73A4A" })).toEqual({
      name: "security",
      created: true,
    });
    expect(await call(ada, "issues_list_labels", api)).toEqual({
      items: [{ name: "security", color: "d73a4a", description: null }],
    });
    const issue = await call<{ number: number }>(ada, "issues_create_issue", {
      ...api,
      title: "Rotate the leaked token",
      body: "Found in `config.ts`",
      labels: ["security"],
    });
    const expected = {
      number: expect.any(Number),
      title: "Rotate the leaked token",
      body: "Found in `config.ts`",
      state: "open",
      labels: ["security"],
      author: "ada",
      isPullRequest: false,
    };
    expect(issue).toEqual(expected);
    expect(await call(ada, "issues_get_issue", { ...api, number: issue.number })).toEqual(expected);
    expect(await call(ada, "issues_list_issues", { ...api, labels: ["security"] })).toEqual({
      items: [expected],
    });
    expect(
      await call(ada, "issues_update_issue", {
        ...api,
        number: issue.number,
        state: "closed",
        stateReason: "completed",
      }),
    ).toEqual({ ...expected, state: "closed" });
  });

  it("creates a team, manages its members and repository roles, and invites people", async () => {
    const team = { id: expect.any(Number), slug: "acme-developers", name: "Acme Developers" };
    expect(await call(ada, "teams_create_team", { owner: "acme", name: "Acme Developers" })).toEqual({
      ...team,
      description: null,
      privacy: "closed",
    });
    const ref = { owner: "acme", team: "acme-developers" };
    expect(await call(ada, "teams_get_team", ref)).toEqual({
      team: { ...team, description: null, privacy: "closed" },
    });
    expect(await call(ada, "teams_get_team", { owner: "acme", team: "acme-nobody" })).toEqual({ team: null });
    expect(await call(ada, "teams_list_teams", { owner: "acme" })).toEqual({
      items: [{ ...team, description: null, privacy: "closed" }],
    });
    expect(await call(ada, "teams_add_member", { ...ref, user: "grace", role: "maintainer" })).toEqual({
      user: "grace",
      role: "maintainer",
      state: "active",
    });
    expect(await call(ada, "teams_add_member", { ...ref, user: "linus" })).toEqual({
      user: "linus",
      role: "member",
      state: "pending",
    });
    expect(await call(ada, "teams_get_membership", { ...ref, user: "grace" })).toEqual({
      membership: { user: "grace", role: "maintainer", state: "active" },
    });
    expect(await call(ada, "teams_list_members", ref)).toEqual({ items: ["grace"] });
    expect(await call(ada, "teams_remove_member", { ...ref, user: "linus" })).toEqual({
      user: "linus",
      removed: true,
    });
    expect(await call(ada, "teams_get_membership", { ...ref, user: "linus" })).toEqual({ membership: null });
    expect(
      await call(ada, "teams_set_repo_permission", { ...ref, repo: "acme-api", permission: "push" }),
    ).toEqual({ team: "acme-developers", repo: "acme-api", permission: "push" });
    expect(await call(ada, "teams_list_repo_permissions", ref)).toEqual({
      items: [{ repo: "acme-api", permission: "push" }],
    });
    const invitation = {
      id: expect.any(Number),
      email: "new@example.com",
      login: null,
      role: "direct_member",
    };
    expect(
      await call(ada, "orgs_create_invitation", {
        owner: "acme",
        email: "new@example.com",
        teams: ["acme-developers"],
      }),
    ).toEqual(invitation);
    expect(await call(ada, "orgs_list_invitations", { owner: "acme" })).toEqual({ items: [invitation] });
  });

  it("sets Actions secrets (sealed) and variables, deployment environments and security settings", async () => {
    expect(await call(ada, "secrets_set_secret", { ...api, name: "NPM_TOKEN", value: NPM_TOKEN })).toEqual({
      name: "NPM_TOKEN",
      created: true,
    });
    const { id } = await call<{ id: number }>(ada, "repos_get_repository", api);
    expect(await world.sandbox.openSecret({ repoId: id }, "NPM_TOKEN")).toBe(NPM_TOKEN);
    expect(await call(ada, "secrets_set_secret", { owner: "acme", name: "SHARED", value: "shared" })).toEqual(
      {
        name: "SHARED",
        created: true,
      },
    );
    expect(await call(ada, "secrets_list_secrets", api)).toEqual({
      items: [{ name: "NPM_TOKEN", updatedAt: expect.any(String) }],
    });
    expect(await call(ada, "secrets_delete_secret", { owner: "acme", name: "SHARED" })).toEqual({
      name: "SHARED",
      deleted: true,
    });
    expect(await call(ada, "secrets_list_secrets", { owner: "acme" })).toEqual({ items: [] });

    const variable = { ...api, name: "NODE_VERSION" };
    expect(await call(ada, "variables_get_variable", variable)).toEqual({ variable: null });
    expect(await call(ada, "variables_set_variable", { ...variable, value: "20" })).toEqual({
      name: "NODE_VERSION",
      changed: true,
    });
    expect(await call(ada, "variables_get_variable", variable)).toEqual({
      variable: { name: "NODE_VERSION", value: "20" },
    });

    const production = { ...api, name: "production" };
    expect(await call(ada, "environments_get_environment", production)).toEqual({ environment: null });
    expect(
      await call(ada, "environments_set_environment", {
        ...production,
        waitTimerMinutes: 5,
        reviewers: [{ team: "acme-developers" }],
      }),
    ).toEqual({ name: "production", rules: expect.arrayContaining(["required_reviewers", "wait_timer"]) });
    expect(await call(ada, "environments_get_environment", production)).toEqual({
      environment: {
        name: "production",
        waitTimerMinutes: 5,
        reviewers: [{ team: "acme-developers" }],
        preventSelfReview: true,
        protectedBranchesOnly: true,
      },
    });

    const all = {
      vulnerabilityAlerts: true,
      automatedSecurityFixes: true,
      secretScanning: true,
      secretScanningPushProtection: true,
    };
    expect(await call(ada, "security_update_settings", api)).toEqual(all);
    expect(await call(ada, "security_get_settings", api)).toEqual(all);
  });

  it("archives a repository and lifts a branch's protection", async () => {
    expect(await call(ada, "repos_archive_repository", { owner: "acme", repo: "acme-web" })).toMatchObject({
      name: "acme-web",
      archived: true,
    });
    expect(await call(ada, "protection_delete_branch_protection", { ...api, branch: "main" })).toEqual({
      branch: "main",
      protected: false,
    });
    expect(await call(ada, "branches_get_branch", { ...api, branch: "main" })).toMatchObject({
      protected: false,
    });
  });

  it("plans a blueprint without changing anything, applies it with secrets resolved at apply time, then plans nothing", async () => {
    await world.sandbox.world.addOrg("initech");
    const blueprint = {
      org: "initech",
      repos: [
        {
          name: "initech-api",
          files: [{ path: ".github/workflows/ci.yml", content: ci }],
          protection: { branch: "main", requiredReviews: 1 },
          secrets: [{ name: "NPM_TOKEN", ref: "secret://initech/npm-token" }],
          variables: [{ name: "NODE_VERSION", value: "20" }],
        },
      ],
      teams: [
        {
          name: "initech-developers",
          members: [{ user: "grace" }],
          repos: [{ repo: "initech-api", permission: "push" }],
        },
      ],
    };
    const planned = await call<{ steps: { tool: string }[] }>(ada, "plan_blueprint", blueprint);
    const tools = [
      "teams_create_team",
      "teams_add_member",
      "repos_create_repository",
      "contents_commit_files",
      "protection_update_branch_protection",
      "secrets_set_secret",
      "variables_set_variable",
      "teams_set_repo_permission",
    ];
    expect(planned.steps.map((s) => s.tool)).toEqual(tools);
    expect(planned).toMatchObject({ target: "initech", unchanged: [], readCalls: expect.any(Number) });
    expect(await call(ada, "repos_list_repositories", { owner: "initech" })).toEqual({ items: [] });

    const resolved: string[] = [];
    const withSecrets: GitHubContext = {
      factory: ada.factory,
      secrets: async (ref) => {
        resolved.push(ref);
        return NPM_TOKEN;
      },
    };
    const applied = await call<{ applied: { tool: string }[]; waiting: unknown[]; plan: unknown }>(
      withSecrets,
      "apply_blueprint",
      blueprint,
    );
    expect(applied.applied.map((s) => s.tool)).toEqual(tools);
    expect(applied.waiting).toEqual([]);
    expect(applied.plan).toEqual(planned);
    expect(resolved).toEqual(["secret://initech/npm-token"]);
    expect(JSON.stringify(applied)).not.toContain(NPM_TOKEN);
    const { id } = await call<{ id: number }>(ada, "repos_get_repository", {
      owner: "initech",
      repo: "initech-api",
    });
    expect(await world.sandbox.openSecret({ repoId: id }, "NPM_TOKEN")).toBe(NPM_TOKEN);
    expect(await call(ada, "plan_blueprint", blueprint)).toMatchObject({ steps: [] });
  });

  it("ran every tool the server offers", () => {
    expect([...ran].sort()).toEqual(githubTools.map((t) => t.name).sort());
  });
});

describe.each(backends)("the GitHub server's connection on %s", (backend) => {
  let database: TestDatabase;
  let sandbox: RunningGitHubSandbox;
  let harness: TestApp;
  let controller: AgentClient;

  beforeAll(async () => {
    database = await freshDatabase(backend);
    sandbox = await startGitHubSandbox({
      database,
      org: "acme",
      repositories: ["acme-api"],
      permissions: ALL_WRITE,
    });
    harness = await testApp(database, { providerCredentials: sandbox.credentials });
    await asPlatform(database.db, (tx) => tx.insert(tenants).values({ id: "acme", displayName: "Acme" }));
    controller = new AgentClient({
      url: "http://controller.test",
      fetch: (request) => harness.app.fetch(request),
    });
  });
  afterAll(async () => {
    await harness.close();
    await sandbox.close();
    await database.dispose();
  });

  const caller = async () => {
    const { token } = await harness.grants.issuer.mint({
      tenant: "acme",
      persona: "founder",
      audience: "github",
      actor: "operator:ada",
    });
    return { token, grant: await controller.introspect(token), controller };
  };

  it("runs tools on the credential the broker narrowed to the grant, one factory per credential", async () => {
    const server = githubServer({ paced: false });
    const founder = await caller();
    const first = await server.connect(founder);
    const second = await server.connect(founder);
    expect(second.factory).toBe(first.factory);
    const list = githubTools.find((t) => t.name === "repos_list_repositories");
    expect(list?.output.parse(await list.run(first, { owner: "acme" }))).toMatchObject({
      items: [{ fullName: "acme/acme-api" }],
    });
    expect((await server.connect(await caller())).factory).not.toBe(first.factory);
  });
});
