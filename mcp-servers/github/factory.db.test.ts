import { beforeAll, describe, expect, it } from "vitest";
import { backends } from "../../test/support/backends.ts";
import { failure as failed } from "../../test/support/failure.ts";
import { githubSandboxWorld } from "../../test/support/github-world.ts";
import { OperationInputError } from "../shared/operation.ts";
import { GitHubFactoryError } from "./errors.ts";
import type { GitHubFactory } from "./factory.ts";

const ci =
  "name: ci\non: [push]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";

const failure = (promise: Promise<unknown>) => failed<GitHubFactoryError>(promise);

describe.each(backends)("the GitHub factory against the sandbox on %s", (backend) => {
  const { world, factory } = githubSandboxWorld(backend, {
    org: "acme",
    repositories: ["acme-infra"],
    permissions: { metadata: "read", administration: "write", contents: "write", workflows: "write" },
  });
  const sandbox = () => world.sandbox;
  let admin: GitHubFactory;

  beforeAll(async () => {
    admin = factory(await sandbox().personalToken());
  });

  it("creates, reads, lists and updates repositories, and names the operation when GitHub refuses", async () => {
    const created = await admin.call("repos_create_repository", {
      owner: "acme",
      repo: "acme-app",
      description: "the app",
    });
    expect(created).toMatchObject({
      fullName: "acme/acme-app",
      private: true,
      defaultBranch: "main",
      description: "the app",
    });
    expect(await admin.call("repos_get_repository", { owner: "acme", repo: "acme-app" })).toEqual(created);
    const listed = await admin.call("repos_list_repositories", { owner: "acme" });
    expect(listed.map((r) => r.name).sort()).toEqual(["acme-app", "acme-infra"]);
    const updated = await admin.call("repos_update_repository", {
      owner: "acme",
      repo: "acme-app",
      deleteBranchOnMerge: true,
      allowMergeCommit: false,
    });
    expect(updated).toMatchObject({
      deleteBranchOnMerge: true,
      allowMergeCommit: false,
      allowSquashMerge: true,
    });

    const duplicate = await failure(
      admin.call("repos_create_repository", { owner: "acme", repo: "acme-app" }),
    );
    expect(duplicate).toBeInstanceOf(GitHubFactoryError);
    expect(duplicate).toMatchObject({
      operation: "repos_create_repository",
      resource: "acme/acme-app",
      status: 422,
      githubMessage: "Repository creation failed.",
      errors: [expect.objectContaining({ field: "name", message: "name already exists on this account" })],
    });
    expect(duplicate.documentationUrl).toMatch(/^https:\/\/docs\.github\.com\//);
    const missing = await failure(admin.call("repos_get_repository", { owner: "acme", repo: "nope" }));
    expect(missing).toMatchObject({ status: 404, githubMessage: "Not Found", resource: "acme/nope" });
  });

  it("refuses bad input naming the field, before anything is sent", async () => {
    const bad = await failure(admin.call("repos_create_repository", { owner: "acme", repo: "no spaces" }));
    expect(bad).toBeInstanceOf(OperationInputError);
    expect(bad).toMatchObject({ field: "repo", operation: "repos_create_repository" });
    const path = await failure(
      admin.call("contents_create_or_update_file", {
        owner: "acme",
        repo: "acme-app",
        path: "../etc/passwd",
        content: "x",
        message: "m",
      }),
    );
    expect(path).toMatchObject({ field: "path" });
    expect((await admin.call("repos_list_repositories", { owner: "acme" })).map((r) => r.name)).not.toContain(
      "no spaces",
    );
  });

  it("writes a file once: the same text again makes no commit", async () => {
    const file = {
      owner: "acme",
      repo: "acme-app",
      path: "docs/intro.md",
      content: "# Intro\n",
      message: "docs",
    };
    const first = await admin.call("contents_create_or_update_file", file);
    expect(first).toMatchObject({ changed: true, path: "docs/intro.md" });
    const again = await admin.call("contents_create_or_update_file", file);
    expect(again).toEqual({ path: "docs/intro.md", sha: first.sha, commitSha: null, changed: false });
    const changed = await admin.call("contents_create_or_update_file", { ...file, content: "# Intro v2\n" });
    expect(changed.changed).toBe(true);
    expect(
      await admin.call("contents_get_file", { owner: "acme", repo: "acme-app", path: "docs/intro.md" }),
    ).toMatchObject({
      text: "# Intro v2\n",
      sha: changed.sha,
    });
    const removed = await admin.call("contents_delete_file", {
      owner: "acme",
      repo: "acme-app",
      path: "docs/intro.md",
      message: "rm",
    });
    expect(removed.changed).toBe(true);
    expect(
      (
        await admin.call("contents_delete_file", {
          owner: "acme",
          repo: "acme-app",
          path: "docs/intro.md",
          message: "rm",
        })
      ).changed,
    ).toBe(false);
  });

  it("commits a scaffold in one commit through the git data API, and nothing when it is already there", async () => {
    const scaffold = {
      owner: "acme",
      repo: "acme-app",
      branch: "main",
      message: "scaffold",
      files: [
        { path: "package.json", content: '{ "name": "acme-app" }\n' },
        { path: "src/index.ts", content: "export {};\n" },
        { path: ".github/workflows/ci.yml", content: ci },
      ],
    };
    const before = await admin.call("branches_get_branch", {
      owner: "acme",
      repo: "acme-app",
      branch: "main",
    });
    const first = await admin.call("contents_commit_files", scaffold);
    expect(first.changed).toBe(true);
    expect(first.files.sort()).toEqual([".github/workflows/ci.yml", "package.json", "src/index.ts"]);
    const head = await admin.call("branches_get_branch", { owner: "acme", repo: "acme-app", branch: "main" });
    expect(head.sha).toBe(first.commitSha);
    expect(head.sha).not.toBe(before.sha);
    expect(await admin.call("contents_commit_files", scaffold)).toEqual({
      commitSha: null,
      changed: false,
      files: [],
    });
    const removal = await admin.call("contents_commit_files", {
      ...scaffold,
      files: [{ path: "src/index.ts", delete: true }],
    });
    expect(removal.files).toEqual(["src/index.ts"]);
    expect(
      (await admin.call("contents_get_file", { owner: "acme", repo: "acme-app", path: "package.json" })).text,
    ).toBe('{ "name": "acme-app" }\n');
  });

  it("protects main: direct writes are refused, branches and settings still work", async () => {
    const app = { owner: "acme", repo: "acme-app" };
    await admin.call("protection_update_branch_protection", {
      ...app,
      branch: "main",
      requiredReviews: 2,
      requiredStatusChecks: ["ci"],
    });
    expect(await admin.call("protection_get_branch_protection", { ...app, branch: "main" })).toMatchObject({
      requiredReviews: 2,
      requiredStatusChecks: ["ci"],
      enforceAdmins: true,
      allowForcePushes: false,
    });
    const direct = await failure(
      admin.call("contents_create_or_update_file", { ...app, path: "x.md", content: "x", message: "direct" }),
    );
    expect(direct).toMatchObject({ status: 409, operation: "contents_create_or_update_file" });
    const pushed = await failure(
      admin.call("contents_commit_files", {
        ...app,
        branch: "main",
        message: "m",
        files: [{ path: "y.md", content: "y" }],
      }),
    );
    expect(pushed).toMatchObject({
      status: 422,
      githubMessage: "Protected branch update failed for refs/heads/main.",
    });

    await admin.call("branches_create_branch", { ...app, branch: "feature/login" });
    const onBranch = await admin.call("contents_create_or_update_file", {
      ...app,
      path: "x.md",
      content: "x",
      message: "on a branch",
      branch: "feature/login",
    });
    expect(onBranch.changed).toBe(true);
    const branches = await admin.call("branches_list_branches", app);
    expect(branches.map((b) => [b.name, b.protected])).toEqual([
      ["main", true],
      ["feature/login", false],
    ]);
    await admin.call("protection_delete_branch_protection", { ...app, branch: "main" });
    expect(await admin.call("protection_get_branch_protection", { ...app, branch: "main" })).toBeNull();
  });

  it("holds an installation token to its repositories and permissions", async () => {
    const narrowed = factory(
      await sandbox().installationToken({
        repositories: ["acme-app"],
        permissions: { metadata: "read", contents: "write" },
      }),
    );
    const own = await narrowed.call("contents_create_or_update_file", {
      owner: "acme",
      repo: "acme-app",
      path: "notes.md",
      content: "mine",
      message: "allowed",
      branch: "feature/login",
    });
    expect(own.changed).toBe(true);
    const other = await failure(
      narrowed.call("contents_create_or_update_file", {
        owner: "acme",
        repo: "acme-infra",
        path: "x",
        content: "x",
        message: "m",
      }),
    );
    expect(other).toMatchObject({ status: 404, resource: "acme/acme-infra:x" });
    const workflow = await failure(
      narrowed.call("contents_create_or_update_file", {
        owner: "acme",
        repo: "acme-app",
        path: ".github/workflows/evil.yml",
        content: ci,
        message: "m",
        branch: "feature/login",
      }),
    );
    expect(workflow).toMatchObject({ status: 403 });
    expect(workflow.githubMessage).toMatch(/without `workflows` permission/);
    const settings = await failure(
      narrowed.call("repos_update_repository", { owner: "acme", repo: "acme-app", visibility: "public" }),
    );
    expect(settings).toMatchObject({ status: 403, githubMessage: "Resource not accessible by integration" });
    expect((await admin.call("repos_get_repository", { owner: "acme", repo: "acme-app" })).private).toBe(
      true,
    );

    const reader = factory(
      await sandbox().installationToken({
        repositories: ["acme-infra"],
        permissions: { metadata: "read", contents: "read" },
      }),
    );
    expect(
      (await reader.call("contents_get_file", { owner: "acme", repo: "acme-infra", path: "README.md" })).text,
    ).toBe("# acme-infra\n");
    expect(
      await failure(
        reader.call("contents_create_or_update_file", {
          owner: "acme",
          repo: "acme-infra",
          path: "x",
          content: "x",
          message: "m",
        }),
      ),
    ).toMatchObject({
      status: 403,
    });
  });

  it("creates a repository from a template with the template's files, and archives one read-only", async () => {
    await admin.call("repos_create_repository", {
      owner: "acme",
      repo: "template-service",
      isTemplate: true,
    });
    await admin.call("contents_commit_files", {
      owner: "acme",
      repo: "template-service",
      branch: "main",
      message: "template",
      files: [
        { path: "Dockerfile", content: "FROM node:20\n" },
        { path: ".github/workflows/ci.yml", content: ci },
      ],
    });
    const made = await admin.call("repos_create_from_template", {
      templateOwner: "acme",
      templateRepo: "template-service",
      owner: "acme",
      repo: "acme-billing",
    });
    expect(made).toMatchObject({ fullName: "acme/acme-billing", private: true, isTemplate: false });
    expect(
      (await admin.call("contents_get_file", { owner: "acme", repo: "acme-billing", path: "Dockerfile" }))
        .text,
    ).toBe("FROM node:20\n");

    expect(
      (await admin.call("repos_archive_repository", { owner: "acme", repo: "acme-billing" })).archived,
    ).toBe(true);
    const write = await failure(
      admin.call("contents_create_or_update_file", {
        owner: "acme",
        repo: "acme-billing",
        path: "x",
        content: "x",
        message: "m",
      }),
    );
    expect(write).toMatchObject({ status: 403, githubMessage: "Repository was archived so is read-only." });
  });
  it("pages listings with GitHub's Link headers, which Octokit follows", async () => {
    for (let i = 0; i < 5; i++)
      await admin.call("repos_create_repository", { owner: "acme", repo: `paged-${i}` });
    const first = await admin.client.rest.repos.listForOrg({ org: "acme", per_page: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.headers.link).toMatch(
      /<[^>]+[?&]page=2[^>]*>; rel="next", <[^>]+[?&]page=\d+[^>]*>; rel="last"/,
    );
    const all = await admin.client.paginate(admin.client.rest.repos.listForOrg, { org: "acme", per_page: 2 });
    const names = all.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(["paged-0", "paged-4", "acme-infra"]));
    expect((await admin.call("repos_list_repositories", { owner: "acme" })).length).toBe(names.length);
  });
});
