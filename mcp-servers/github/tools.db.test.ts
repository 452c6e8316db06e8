import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { backends } from "../../test/support/backends.ts";
import { failure } from "../../test/support/failure.ts";
import { githubToolWorld } from "../../test/support/github-tools.ts";
import { GitHubFactoryError } from "./errors.ts";
import { blobSha } from "./operations/contents.ts";

const api = { owner: "acme", repo: "acme-api" };
const sha = expect.stringMatching(/^[0-9a-f]{40}$/);
const ci =
  "name: ci\non: [pull_request]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";

describe.each(backends)("the GitHub repository, protection and collaboration tools on %s", (backend) => {
  const { as, call, notRun } = githubToolWorld(backend);

  it("creates repositories, blank and from a template, reads, lists and updates them", async () => {
    const created = await call(as.ada, "repos_create_repository", { ...api, description: "the API" });
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
      await call(as.ada, "repos_create_from_template", {
        templateOwner: "acme",
        templateRepo: "acme-template",
        owner: "acme",
        repo: "acme-web",
      }),
    ).toMatchObject({ fullName: "acme/acme-web", private: true, isTemplate: false });
    expect(await call(as.ada, "repos_get_repository", api)).toEqual(created);
    const listed = await call<{ items: { name: string }[] }>(as.ada, "repos_list_repositories", {
      owner: "acme",
    });
    expect(listed.items.map((r) => r.name).sort()).toEqual(["acme-api", "acme-template", "acme-web"]);
    expect(
      await call(as.ada, "repos_update_repository", {
        ...api,
        deleteBranchOnMerge: true,
        allowMergeCommit: false,
      }),
    ).toEqual({ ...created, deleteBranchOnMerge: true, allowMergeCommit: false });
  });

  it("writes, reads, lists and deletes files, commits several at once and sets CODEOWNERS", async () => {
    const readme = "# acme-api\n\nThe API.\n";
    const written = await call(as.ada, "contents_create_or_update_file", {
      ...api,
      path: "README.md",
      content: readme,
      message: "Describe the API",
    });
    expect(written).toEqual({ path: "README.md", sha: blobSha(readme), commitSha: sha, changed: true });
    expect(
      await call(as.ada, "contents_create_or_update_file", {
        ...api,
        path: "README.md",
        content: readme,
        message: "again",
      }),
    ).toEqual({ path: "README.md", sha: blobSha(readme), commitSha: null, changed: false });
    expect(await call(as.ada, "contents_get_file", { ...api, path: "README.md" })).toEqual({
      path: "README.md",
      sha: blobSha(readme),
      size: Buffer.byteLength(readme),
      text: readme,
    });
    expect(
      await call(as.ada, "contents_commit_files", {
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
      await call(as.ada, "contents_delete_file", { ...api, path: "src/index.ts", message: "Not yet" }),
    ).toEqual({ path: "src/index.ts", sha: null, commitSha: sha, changed: true });
    expect(
      await call(as.ada, "contents_delete_file", { ...api, path: "src/index.ts", message: "Not yet" }),
    ).toEqual({ path: "src/index.ts", sha: null, commitSha: null, changed: false });
    const owners = "# Managed by startup-factory\n* @acme/acme-developers\n";
    expect(
      await call(as.ada, "codeowners_set_codeowners", {
        ...api,
        rules: [{ pattern: "*", owners: ["@acme/acme-developers"] }],
      }),
    ).toEqual({ path: ".github/CODEOWNERS", sha: blobSha(owners), commitSha: sha, changed: true });
    const files = await call<{ items: { path: string; sha: string }[] }>(as.ada, "contents_list_files", {
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
    expect(await call(as.ada, "protection_get_branch_protection", main)).toEqual({ protection: null });
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
    expect(
      await call(as.ada, "protection_update_branch_protection", { ...main, requiredReviews: 1 }),
    ).toEqual(protection);
    expect(await call(as.ada, "protection_get_branch_protection", main)).toEqual({ protection });
    const head = await call<{ sha: string }>(as.ada, "branches_get_branch", main);
    expect(head).toEqual({ name: "main", sha, protected: true });
    expect(await call(as.ada, "branches_create_branch", { ...api, branch: "feature/login" })).toEqual({
      name: "feature/login",
      sha: head.sha,
      protected: false,
    });
    const branches = await call<{ items: { name: string }[] }>(as.ada, "branches_list_branches", api);
    expect(branches.items.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: "feature/login", sha: head.sha, protected: false },
      { name: "main", sha: head.sha, protected: true },
    ]);
    const ruleset = await call<{ id: number }>(as.ada, "protection_set_ruleset", {
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
    expect(await call(as.ada, "protection_list_rulesets", api)).toEqual({
      items: [{ id: ruleset.id, name: "releases", enforcement: "active" }],
    });
    expect(await call(as.ada, "protection_delete_ruleset", { ...api, name: "releases" })).toEqual({
      name: "releases",
      deleted: true,
    });
    expect(await call(as.ada, "protection_delete_ruleset", { ...api, name: "releases" })).toEqual({
      name: "releases",
      deleted: false,
    });
  });

  it("refuses bad input naming the field, and a second create adds nothing (GitHub refuses the taken name)", async () => {
    const bad = await failure<ZodError>(
      call(as.ada, "repos_create_repository", { owner: "acme", repo: "no spaces" }),
    );
    expect(bad).toBeInstanceOf(ZodError);
    expect(bad.issues.map((i) => i.path)).toEqual([["repo"]]);
    for (const [name, input] of [
      ["repos_create_repository", api],
      ["branches_create_branch", { ...api, branch: "feature/login", from: "main" }],
    ] as const) {
      const refused = await failure<GitHubFactoryError>(call(as.ada, name, input));
      expect(refused, name).toBeInstanceOf(GitHubFactoryError);
      expect(refused, name).toMatchObject({ operation: name, status: 422 });
    }
  });

  it("takes a change through a pull request: opened, read, reviewed by someone else, merged", async () => {
    await call(as.ada, "contents_create_or_update_file", {
      ...api,
      branch: "feature/login",
      path: "src/login.ts",
      content: "export const login = () => true;\n",
      message: "Log in",
    });
    const opened = await call<{ number: number; headSha: string }>(as.ada, "pulls_create_pull_request", {
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
    expect(await call(as.ada, "pulls_get_pull_request", ref)).toEqual(opened);
    expect(await call(as.ada, "pulls_list_pull_requests", api)).toEqual({ items: [opened] });
    expect(
      await call(as.grace, "pulls_create_review", { ...ref, event: "APPROVE", body: "Looks right" }),
    ).toEqual({ id: expect.any(Number), state: "APPROVED", author: "grace" });
    expect(
      await call(as.grace, "checks_set_commit_status", {
        ...api,
        sha: opened.headSha,
        state: "success",
        context: "security/scan",
        description: "no findings",
      }),
    ).toEqual({ state: "success", context: "security/scan", sha: opened.headSha });
    expect(
      await call(as.ada, "pulls_merge_pull_request", { ...ref, expectedHeadSha: opened.headSha }),
    ).toEqual({
      merged: true,
      sha,
    });
    expect(await call(as.ada, "pulls_list_pull_requests", { ...api, state: "closed" })).toEqual({
      items: [{ ...opened, state: "closed", merged: true }],
    });
  });

  it("keeps a backlog: labels and issues, opened, read, listed and closed", async () => {
    expect(await call(as.ada, "issues_set_label", { ...api, name: "security", color: "D73A4A" })).toEqual({
      name: "security",
      created: true,
    });
    expect(await call(as.ada, "issues_list_labels", api)).toEqual({
      items: [{ name: "security", color: "d73a4a", description: null }],
    });
    const issue = await call<{ number: number }>(as.ada, "issues_create_issue", {
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
    expect(await call(as.ada, "issues_get_issue", { ...api, number: issue.number })).toEqual(expected);
    expect(await call(as.ada, "issues_list_issues", { ...api, labels: ["security"] })).toEqual({
      items: [expected],
    });
    expect(
      await call(as.ada, "issues_update_issue", {
        ...api,
        number: issue.number,
        state: "closed",
        stateReason: "completed",
      }),
    ).toEqual({ ...expected, state: "closed" });
  });

  it("archives a repository and lifts a branch's protection", async () => {
    expect(await call(as.ada, "repos_archive_repository", { owner: "acme", repo: "acme-web" })).toMatchObject(
      {
        name: "acme-web",
        archived: true,
      },
    );
    expect(await call(as.ada, "protection_delete_branch_protection", { ...api, branch: "main" })).toEqual({
      branch: "main",
      protected: false,
    });
    expect(await call(as.ada, "branches_get_branch", { ...api, branch: "main" })).toMatchObject({
      protected: false,
    });
  });

  it("ran every tool of the repos, protection and issues_prs toolsets", () => {
    expect(notRun(["repos", "protection", "issues_prs"])).toEqual([]);
  });
});
