import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { contractProblems } from "../../test/support/github-openapi.ts";
import {
  type Exchange,
  type RunningGitHubSandbox,
  startGitHubSandbox,
} from "../../test/support/github-sandbox.ts";
import { apply } from "./blueprint/apply.ts";
import { GitHubFactory } from "./factory.ts";

const ci =
  "name: ci\non: [pull_request]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";

/**
 * Contract tests against GitHub's official OpenAPI description (npm @octokit/openapi): a scenario that
 * runs every factory operation, failures included, and then every recorded request body must fit the
 * operation's request schema and every response its documented schema for its status.
 */
describe("the factory and the sandbox against GitHub's OpenAPI description", () => {
  let database: TestDatabase;
  let sandbox: RunningGitHubSandbox;
  const exchanges: Exchange[] = [];

  beforeAll(async () => {
    database = await freshDatabase(backends[0] ?? "pglite");
    sandbox = await startGitHubSandbox({
      database,
      org: "acme",
      repositories: [],
      permissions: { metadata: "read", contents: "write", pull_requests: "write", issues: "write" },
      onExchange: (x) => exchanges.push(x),
    });
    await sandbox.world.addRepository("acme", "template-web", { isTemplate: true });
    for (const login of ["ada", "grace"]) {
      await sandbox.world.addUser(login);
      await sandbox.world.addMember("acme", login);
    }
  });
  afterAll(async () => {
    await sandbox.close();
    await database.dispose();
  });

  it("runs a scenario that uses every operation, then checks each exchange", async () => {
    const ada = new GitHubFactory({
      baseUrl: sandbox.url,
      token: await sandbox.personalToken("ada"),
      paced: false,
    });
    const grace = new GitHubFactory({
      baseUrl: sandbox.url,
      token: await sandbox.personalToken("grace"),
      paced: false,
    });
    const repo = { owner: "acme", repo: "acme-api" };
    await apply(
      ada,
      {
        org: "acme",
        repos: [
          {
            name: "acme-api",
            description: "the API",
            files: [
              { path: "package.json", content: '{ "name": "acme-api" }\n' },
              { path: ".github/workflows/ci.yml", content: ci },
            ],
            protection: { branch: "main", requiredReviews: 1, requiredStatusChecks: ["ci"] },
            secrets: [{ name: "NPM_TOKEN", ref: "secret://acme/npm" }],
            variables: [{ name: "NODE_VERSION", value: "20" }],
            environments: [{ name: "production", reviewers: [{ user: "grace" }, { team: "developers" }] }],
            security: {},
          },
          { name: "acme-web", template: { owner: "acme", repo: "template-web" } },
        ],
        teams: [
          {
            name: "Developers",
            members: [{ user: "grace" }],
            repos: [{ repo: "acme-api", permission: "push" }],
          },
        ],
        orgSecrets: [{ name: "SHARED", ref: "secret://acme/shared" }],
      },
      { secrets: async () => "value" },
    );
    await ada.call("repos_list_repositories", { owner: "acme" });
    await ada.call("repos_archive_repository", { owner: "acme", repo: "acme-web" });
    await ada.call("teams_list_teams", { owner: "acme" });
    await ada.call("teams_list_members", { owner: "acme", team: "developers" });
    await ada.call("teams_remove_member", { owner: "acme", team: "developers", user: "grace" });
    await ada.call("orgs_create_invitation", {
      owner: "acme",
      email: "new@example.com",
      teams: ["developers"],
    });
    await ada.call("orgs_list_invitations", { owner: "acme" });
    await ada.call("secrets_delete_secret", { ...repo, name: "NPM_TOKEN" });
    await ada
      .call("contents_delete_file", { ...repo, path: "package.json", message: "rm", branch: "main" })
      .catch(() => {});
    await ada.call("branches_create_branch", { ...repo, branch: "feature/x" });
    await ada.call("branches_list_branches", repo);
    await ada.call("contents_create_or_update_file", {
      ...repo,
      branch: "feature/x",
      path: "x.md",
      content: "x",
      message: "x",
    });
    await ada.call("contents_get_file", { ...repo, path: "x.md", ref: "feature/x" });
    await ada.call("codeowners_set_codeowners", {
      ...repo,
      branch: "feature/x",
      rules: [{ pattern: "*", owners: ["@acme/developers"] }],
    });
    await ada.call("issues_set_label", { ...repo, name: "bug", color: "d73a4a" });
    await ada.call("issues_set_label", { ...repo, name: "bug", color: "b60205" });
    await ada.call("issues_list_labels", repo);
    const issue = await ada.call("issues_create_issue", { ...repo, title: "a bug", labels: ["bug"] });
    await ada.call("issues_update_issue", { ...repo, number: issue.number, state: "closed" });
    await ada.call("issues_list_issues", { ...repo, state: "all" });
    const pr = await ada.call("pulls_create_pull_request", {
      ...repo,
      title: "x",
      head: "feature/x",
      base: "main",
    });
    await ada.call("pulls_merge_pull_request", { ...repo, number: pr.number }).catch(() => {});
    await grace.call("pulls_create_review", { ...repo, number: pr.number, event: "APPROVE" });
    await ada.client.rest.repos.createCommitStatus({
      ...repo,
      sha: pr.headSha,
      state: "success",
      context: "ci",
    });
    await grace.call("pulls_merge_pull_request", { ...repo, number: pr.number });
    await ada.call("pulls_get_pull_request", { ...repo, number: pr.number });
    await ada.call("pulls_list_pull_requests", { ...repo, state: "all" });
    await ada.call("protection_delete_branch_protection", { ...repo, branch: "main" });
    await ada.call("protection_set_ruleset", {
      ...repo,
      name: "main",
      requiredReviews: 1,
      requiredStatusChecks: ["ci"],
    });
    await ada.call("protection_set_ruleset", { ...repo, name: "main", enforcement: "evaluate" });
    await ada.call("protection_list_rulesets", repo);
    await ada.call("protection_delete_ruleset", { ...repo, name: "main" });
    await ada.call("repos_get_repository", { owner: "acme", repo: "missing" }).catch(() => {});
    await ada.call("repos_create_repository", { owner: "acme", repo: "acme-api" }).catch(() => {});
    const token = await sandbox.installationToken({
      repositories: ["acme-api"],
      permissions: { metadata: "read", contents: "read" },
    });
    const app = new GitHubFactory({ baseUrl: sandbox.url, token, paced: false });
    await app.client.paginate(app.client.rest.apps.listReposAccessibleToInstallation, { per_page: 1 });
    await app.client.rest.apps.revokeInstallationAccessToken();

    const operations = new Set(
      exchanges.map((x) => `${x.method} ${x.path.replace(/\/[0-9a-f]{40}$/, "/{sha}")}`),
    );
    expect(operations.size).toBeGreaterThan(40);
    const problems = exchanges.flatMap(contractProblems);
    expect(problems).toEqual([]);
  });
});
