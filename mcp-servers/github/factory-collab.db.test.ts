import { beforeAll, describe, expect, it } from "vitest";
import { backends } from "../../test/support/backends.ts";
import { failure as failed } from "../../test/support/failure.ts";
import { githubSandboxWorld } from "../../test/support/github-world.ts";
import type { GitHubFactoryError } from "./errors.ts";
import type { GitHubFactory } from "./factory.ts";

const failure = (promise: Promise<unknown>) => failed<GitHubFactoryError>(promise);
const app = { owner: "acme", repo: "acme-app" };

describe.each(backends)("the GitHub factory's issues, pull requests and reviews on %s", (backend) => {
  const { world, factory } = githubSandboxWorld(backend, {
    org: "acme",
    repositories: ["acme-app"],
    permissions: { metadata: "read", contents: "write", pull_requests: "write", issues: "write" },
  });
  const sandbox = () => world.sandbox;
  let ada: GitHubFactory;
  let grace: GitHubFactory;
  let dev: GitHubFactory;

  beforeAll(async () => {
    ada = factory(await sandbox().personalToken("ada"));
    grace = factory(await sandbox().personalToken("grace"));
    dev = factory(
      await sandbox().installationToken({
        repositories: ["acme-app"],
        permissions: { metadata: "read", contents: "write", pull_requests: "write", issues: "write" },
      }),
    );
    await ada.call("protection_update_branch_protection", {
      ...app,
      branch: "main",
      requiredReviews: 1,
      requiredStatusChecks: ["ci"],
    });
  });

  it("keeps a backlog: labels, issues, filters, closing", async () => {
    expect(await dev.call("issues_set_label", { ...app, name: "security", color: "d73a4a" })).toEqual({
      name: "security",
      created: true,
    });
    expect(
      await dev.call("issues_set_label", {
        ...app,
        name: "security",
        color: "B60205",
        description: "found by sec",
      }),
    ).toEqual({ name: "security", created: false });
    expect(await dev.call("issues_list_labels", app)).toEqual([
      { name: "security", color: "b60205", description: "found by sec" },
    ]);
    const leak = await dev.call("issues_create_issue", {
      ...app,
      title: "Rotate the leaked token",
      body: "Found in `config.ts`",
      labels: ["security", "urgent"],
    });
    expect(leak).toMatchObject({
      number: 1,
      state: "open",
      labels: ["security", "urgent"],
      isPullRequest: false,
    });
    expect(leak.author).toMatch(/\[bot\]$/);
    await dev.call("issues_create_issue", { ...app, title: "Add a README badge" });
    expect(
      (await dev.call("issues_list_issues", { ...app, labels: ["security"] })).map((i) => i.number),
    ).toEqual([1]);
    const closed = await dev.call("issues_update_issue", {
      ...app,
      number: 1,
      state: "closed",
      stateReason: "completed",
    });
    expect(closed.state).toBe("closed");
    expect((await dev.call("issues_list_issues", app)).map((i) => i.title)).toEqual(["Add a README badge"]);
    expect((await failure(dev.call("issues_get_issue", { ...app, number: 99 }))).status).toBe(404);
  });

  it("merges a pull request only after an approval by someone else and a passing check", async () => {
    await dev.call("branches_create_branch", { ...app, branch: "feature/health" });
    await dev.call("contents_create_or_update_file", {
      ...app,
      branch: "feature/health",
      path: "src/health.ts",
      content: "export const ok = true;\n",
      message: "health check",
    });
    const pr = await dev.call("pulls_create_pull_request", {
      ...app,
      title: "Add a health check",
      head: "feature/health",
      base: "main",
      body: "Closes #2",
    });
    expect(pr).toMatchObject({
      number: 3,
      state: "open",
      head: "feature/health",
      base: "main",
      merged: false,
    });

    const unreviewed = await failure(dev.call("pulls_merge_pull_request", { ...app, number: pr.number }));
    expect(unreviewed).toMatchObject({ status: 405, operation: "pulls_merge_pull_request" });
    expect(unreviewed.githubMessage).toMatch(/approving review is required/);
    const own = await failure(
      dev.call("pulls_create_review", { ...app, number: pr.number, event: "APPROVE" }),
    );
    expect(own).toMatchObject({ status: 422 });
    expect(own.githubMessage).toMatch(/your own pull request/);

    expect(
      await grace.call("pulls_create_review", { ...app, number: pr.number, event: "APPROVE", body: "lgtm" }),
    ).toMatchObject({
      state: "APPROVED",
      author: "grace",
    });
    const unchecked = await failure(grace.call("pulls_merge_pull_request", { ...app, number: pr.number }));
    expect(unchecked.githubMessage).toBe('Required status check "ci" is expected.');

    await ada.client.rest.repos.createCommitStatus({
      ...app,
      sha: pr.headSha,
      state: "success",
      context: "ci",
    });
    const stale = await failure(
      grace.call("pulls_merge_pull_request", { ...app, number: pr.number, expectedHeadSha: "0".repeat(40) }),
    );
    expect(stale).toMatchObject({ status: 409 });
    const merged = await grace.call("pulls_merge_pull_request", {
      ...app,
      number: pr.number,
      method: "squash",
    });
    expect(merged.merged).toBe(true);
    expect((await ada.call("branches_get_branch", { ...app, branch: "main" })).sha).toBe(merged.sha);
    expect((await ada.call("contents_get_file", { ...app, path: "src/health.ts" })).text).toBe(
      "export const ok = true;\n",
    );
    expect(await ada.call("pulls_get_pull_request", { ...app, number: pr.number })).toMatchObject({
      state: "closed",
      merged: true,
    });
    expect(await ada.call("pulls_list_pull_requests", app)).toEqual([]);
  });

  it("refuses empty, duplicate and conflicting pull requests", async () => {
    await ada.call("branches_create_branch", { ...app, branch: "empty" });
    const empty = await failure(
      ada.call("pulls_create_pull_request", { ...app, title: "t", head: "empty", base: "main" }),
    );
    expect(empty).toMatchObject({
      status: 422,
      errors: [expect.objectContaining({ message: "No commits between main and empty" })],
    });

    for (const branch of ["left", "right"]) {
      await ada.call("branches_create_branch", { ...app, branch });
      await ada.call("contents_create_or_update_file", {
        ...app,
        branch,
        path: "src/health.ts",
        content: `export const ok = "${branch}";\n`,
        message: branch,
      });
    }
    const left = await ada.call("pulls_create_pull_request", {
      ...app,
      title: "left",
      head: "left",
      base: "main",
    });
    const right = await ada.call("pulls_create_pull_request", {
      ...app,
      title: "right",
      head: "right",
      base: "main",
    });
    const again = await failure(
      ada.call("pulls_create_pull_request", { ...app, title: "again", head: "left", base: "main" }),
    );
    expect(again.errors).toEqual([
      expect.objectContaining({ message: "A pull request already exists for acme:left." }),
    ]);
    for (const pr of [left, right]) {
      await grace.call("pulls_create_review", { ...app, number: pr.number, event: "APPROVE" });
      await ada.client.rest.repos.createCommitStatus({
        ...app,
        sha: pr.headSha,
        state: "success",
        context: "ci",
      });
    }
    expect((await grace.call("pulls_merge_pull_request", { ...app, number: left.number })).merged).toBe(true);
    const conflict = await failure(grace.call("pulls_merge_pull_request", { ...app, number: right.number }));
    expect(conflict).toMatchObject({ status: 405, githubMessage: "Pull Request is not mergeable" });
  });

  it("writes CODEOWNERS through a branch, once", async () => {
    const rules = [
      { pattern: "*", owners: ["@acme/developers"] },
      { pattern: ".github/", owners: ["@acme/platform", "sec@acme.dev"] },
    ];
    await ada.call("branches_create_branch", { ...app, branch: "codeowners" });
    const first = await ada.call("codeowners_set_codeowners", { ...app, rules, branch: "codeowners" });
    expect(first.changed).toBe(true);
    expect(
      (await ada.call("codeowners_set_codeowners", { ...app, rules, branch: "codeowners" })).changed,
    ).toBe(false);
    expect(
      (await ada.call("contents_get_file", { ...app, path: ".github/CODEOWNERS", ref: "codeowners" })).text,
    ).toBe("# Managed by startup-factory\n* @acme/developers\n.github/ @acme/platform sec@acme.dev\n");
    const bad = await failure(
      ada.call("codeowners_set_codeowners", { ...app, rules: [{ pattern: "*", owners: ["nobody"] }] }),
    );
    expect(bad).toMatchObject({ field: "rules.0.owners.0" });
  });
  it("enforces an active ruleset like protection, and leaves an evaluate-only one advisory", async () => {
    const lib = { owner: "acme", repo: "acme-lib" };
    await ada.call("repos_create_repository", lib);
    const set = await ada.call("protection_set_ruleset", {
      ...lib,
      name: "main",
      requiredReviews: 1,
      requiredStatusChecks: ["ci"],
    });
    expect(set).toMatchObject({
      created: true,
      rules: ["non_fast_forward", "deletion", "pull_request", "required_status_checks"],
    });
    expect(
      (await ada.call("protection_set_ruleset", { ...lib, name: "main", requiredReviews: 2 })).created,
    ).toBe(false);
    expect(await ada.call("protection_list_rulesets", lib)).toEqual([
      expect.objectContaining({ name: "main", enforcement: "active" }),
    ]);
    expect((await ada.call("branches_get_branch", { ...lib, branch: "main" })).protected).toBe(true);

    // Rulesets bind administrators too: even ada's personal token cannot write main directly.
    const direct = await failure(
      ada.call("contents_create_or_update_file", { ...lib, path: "x", content: "x", message: "m" }),
    );
    expect(direct).toMatchObject({ status: 409 });
    await ada.call("protection_set_ruleset", {
      ...lib,
      name: "releases",
      branches: ["release/**"],
      exclude: ["release/tmp-*"],
    });
    for (const branch of ["release/v1", "release/tmp-1"])
      await ada.call("branches_create_branch", { ...lib, branch });
    const removal = await failure(ada.client.rest.git.deleteRef({ ...lib, ref: "heads/release/v1" }));
    expect(removal).toMatchObject({ status: 422, message: expect.stringMatching(/protected branch/) });
    expect((await ada.client.rest.git.deleteRef({ ...lib, ref: "heads/release/tmp-1" })).status).toBe(204);
    await ada.call("protection_delete_ruleset", { ...lib, name: "releases" });

    await ada.call("protection_set_ruleset", {
      ...lib,
      name: "main",
      enforcement: "evaluate",
      requiredReviews: 2,
    });
    expect(
      (await ada.call("contents_create_or_update_file", { ...lib, path: "x", content: "x", message: "m" }))
        .changed,
    ).toBe(true);
    expect(await ada.call("protection_delete_ruleset", { ...lib, name: "main" })).toEqual({
      name: "main",
      deleted: true,
    });
    expect(await ada.call("protection_delete_ruleset", { ...lib, name: "main" })).toEqual({
      name: "main",
      deleted: false,
    });
  });
});
