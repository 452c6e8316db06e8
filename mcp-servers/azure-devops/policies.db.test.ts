import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAdoSandbox, startAdoSandbox } from "../../test/support/ado-sandbox.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { failure } from "../../test/support/failure.ts";
import { OperationInputError } from "../shared/operation.ts";
import { AzureDevOpsFactoryError } from "./errors.ts";
import { AzureDevOpsFactory } from "./factory.ts";

const project = "tenant-acme";
const app = { project, repo: "acme-app" };
const pipelineYaml = "trigger:\n  - main\npool:\n  vmImage: ubuntu-latest\nsteps:\n  - script: npm test\n";
const protection = {
  ...app,
  branch: "main",
  minimumReviewers: { count: 1 },
  buildValidation: { pipeline: "acme-app-ci" },
};

describe.each(backends)("branch policies and pull requests against the sandbox on %s", (backend) => {
  let database: TestDatabase;
  let sandbox: RunningAdoSandbox;
  let ada: AzureDevOpsFactory;
  let bob: AzureDevOpsFactory;
  const factory = (token: string) => new AzureDevOpsFactory({ orgUrl: sandbox.orgUrl, token, kind: "pat" });
  const mainHead = async () =>
    (await (await ada.client.getGitApi()).getRefs("acme-app", project, "heads/main")).find(
      (r) => r.name === "refs/heads/main",
    )?.objectId;
  const finishedRun = async (branch: string) => {
    const run = await ada.call("pipelines_run_pipeline", { project, name: "acme-app-ci", branch });
    for (let i = 0; i < 50; i++) {
      const now = await ada.call("pipelines_get_run", { project, name: "acme-app-ci", runId: run.id });
      if (now.state === "completed") return now;
      await sleep(20);
    }
    throw new Error("the run did not finish");
  };

  beforeAll(async () => {
    database = await freshDatabase(backend);
    sandbox = await startAdoSandbox({ database, org: "acme-org" });
    ada = factory(await sandbox.pat());
    bob = factory(await sandbox.world.pat("acme-org", "bob@example.com"));
    await ada.call("projects_create_project", { project });
    await ada.call("repos_create_repository", app);
    await ada.call("repos_push_files", {
      ...app,
      message: "Scaffold",
      files: [
        { path: "README.md", content: "# acme-app\n" },
        { path: "azure-pipelines.yml", content: pipelineYaml },
      ],
    });
    await ada.call("pipelines_create_pipeline", { project, name: "acme-app-ci", repo: "acme-app" });
  });
  afterAll(async () => {
    await sandbox.close();
    await database.dispose();
  });

  it("sets a branch's policies once: a second call changes nothing and a change updates in place", async () => {
    const first = await ada.call("repos_set_branch_policies", protection);
    expect(first.refName).toBe("refs/heads/main");
    expect(first.policies.map((p) => [p.kind, p.outcome])).toEqual([
      ["minimumReviewers", "created"],
      ["build", "created"],
    ]);
    const again = await ada.call("repos_set_branch_policies", protection);
    expect(again.policies).toEqual(first.policies.map((p) => ({ ...p, outcome: "unchanged" })));
    const stricter = await ada.call("repos_set_branch_policies", {
      ...protection,
      minimumReviewers: { count: 2 },
    });
    expect(stricter.policies).toEqual([
      { ...first.policies[0], outcome: "updated" },
      { ...first.policies[1], outcome: "unchanged" },
    ]);
    await ada.call("repos_set_branch_policies", protection);

    const onMain = await ada.call("repos_get_branch_policies", { ...app, branch: "main" });
    expect(onMain).toEqual([
      {
        id: first.policies[0]?.id,
        typeId: "fa4e907d-c16b-4a4c-9dfa-4906e5d171dd",
        type: "Minimum number of reviewers",
        isEnabled: true,
        isBlocking: true,
        settings: {
          minimumApproverCount: 1,
          creatorVoteCounts: false,
          resetOnSourcePush: true,
          allowDownvotes: false,
          scope: [{ repositoryId: first.repositoryId, refName: "refs/heads/main", matchKind: "exact" }],
        },
      },
      expect.objectContaining({
        id: first.policies[1]?.id,
        typeId: "0609b952-1397-4640-95ec-e00a01b2c241",
        type: "Build",
        settings: expect.objectContaining({ displayName: "acme-app-ci", validDuration: 720 }),
      }),
    ]);
    const raw = await (await ada.client.getPolicyApi()).getPolicyConfigurations(project);
    expect(raw.map((p) => [p.id, p.revision])).toEqual([
      [first.policies[0]?.id, 3],
      [first.policies[1]?.id, 1],
    ]);
    expect(await ada.call("repos_get_branch_policies", { ...app, branch: "feature/x" })).toEqual([]);
  });

  it("refuses a direct push to the protected branch as Azure DevOps does, writing nothing", async () => {
    const before = await mainHead();
    const refused = await failure<AzureDevOpsFactoryError>(
      ada.call("repos_push_files", {
        ...app,
        message: "hotfix",
        files: [{ path: "hotfix.txt", content: "x" }],
      }),
    );
    expect(refused).toBeInstanceOf(AzureDevOpsFactoryError);
    expect(refused).toMatchObject({
      operation: "repos_push_files",
      status: 403,
      typeKey: "GitRefUpdateRejectedByPolicyException",
      serviceMessage:
        "TF402455: Pushes to this branch are not permitted; you must use a pull request to update this branch.",
    });
    expect(await mainHead()).toBe(before);
    expect(await ada.call("repos_get_file", { ...app, path: "hotfix.txt" })).toBeNull();
  });

  it("completes a pull request only once someone else approved it and its pipeline passed on its head", async () => {
    const before = await mainHead();
    const feature = { ...app, branch: "feature/signup" };
    await ada.call("repos_push_files", {
      ...feature,
      message: "Sign-up form",
      files: [{ path: "src/signup.ts", content: "export const signup = () => true;\n" }],
    });
    const opened = await ada.call("repos_create_pull_request", {
      ...app,
      sourceBranch: "feature/signup",
      title: "Sign-up form",
      description: "Adds the sign-up form.",
    });
    expect(opened).toMatchObject({
      title: "Sign-up form",
      status: "active",
      sourceBranch: "feature/signup",
      targetBranch: "main",
      mergeCommit: null,
      reviewers: [],
      created: true,
    });
    const same = await ada.call("repos_create_pull_request", {
      ...app,
      sourceBranch: "feature/signup",
      title: "Another title",
    });
    expect(same).toEqual({ ...opened, created: false });
    const pr = { ...app, pullRequestId: opened.id };

    const reviewers = "Minimum number of reviewers";
    const build = "Build (acme-app-ci)";
    const blocked = async (...unmet: string[]) => {
      const refused = await failure<AzureDevOpsFactoryError>(ada.call("repos_complete_pull_request", pr));
      expect(refused).toMatchObject({
        operation: "repos_complete_pull_request",
        status: 403,
        typeKey: "GitPullRequestUpdateRejectedByPolicyException",
        serviceMessage: `TF401190: The update is rejected by policy (not met: ${unmet.join("; ")})`,
      });
      expect(await mainHead()).toBe(before);
    };
    await blocked(reviewers, build);
    // The creator's own approval does not count (creatorVoteCounts is false).
    expect(await ada.call("repos_approve_pull_request", pr)).toEqual({
      pullRequestId: opened.id,
      reviewer: "ada@example.com",
      vote: 10,
    });
    await blocked(reviewers, build);
    expect(await bob.call("repos_approve_pull_request", pr)).toMatchObject({ reviewer: "bob@example.com" });
    await blocked(build); // approved, but no pipeline run on the source head yet

    // A new push to the source resets the approvals (resetOnSourcePush): a green run on it is not enough.
    await ada.call("repos_push_files", {
      ...feature,
      message: "Validate the email",
      files: [
        { path: "src/signup.ts", content: "export const signup = (email: string) => email.includes('@');\n" },
      ],
    });
    expect((await finishedRun("feature/signup")).result).toBe("succeeded");
    await blocked(reviewers);
    await bob.call("repos_approve_pull_request", pr);

    const merged = await ada.call("repos_complete_pull_request", pr);
    expect(merged).toMatchObject({ id: opened.id, status: "completed", mergeStatus: "succeeded" });
    expect(merged.reviewers).toEqual(
      expect.arrayContaining([
        { name: "ada@example.com", vote: 10 },
        { name: "bob@example.com", vote: 10 },
      ]),
    );
    expect(merged.mergeCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(await mainHead()).toBe(merged.mergeCommit);
    expect(await ada.call("repos_get_file", { ...app, path: "src/signup.ts" })).toContain("email.includes");
    expect(await ada.call("repos_get_file", { ...app, path: "README.md" })).toBe("# acme-app\n");
    expect(await ada.call("repos_complete_pull_request", pr)).toEqual(merged);
    expect(await ada.call("repos_get_pull_request", pr)).toEqual(merged);
    const reopened = await ada.call("repos_create_pull_request", {
      ...app,
      sourceBranch: "feature/signup",
      title: "Follow-up",
    });
    expect(reopened).toMatchObject({ created: true, status: "active" });
    expect(reopened.id).not.toBe(opened.id);
  });

  it("holds tokens to their scopes: a read-only token reads policies but changes nothing", async () => {
    const reader = factory(await sandbox.pat(["vso.code", "vso.build", "vso.project"]));
    expect((await reader.call("repos_get_branch_policies", { ...app, branch: "main" })).length).toBe(2);
    await expect(
      reader.call("repos_set_branch_policies", { ...protection, minimumReviewers: { count: 3 } }),
    ).rejects.toMatchObject({ status: 401, typeKey: "UnauthorizedRequestException" });
    await expect(
      reader.call("repos_create_pull_request", { ...app, sourceBranch: "feature/rogue", title: "rogue" }),
    ).rejects.toMatchObject({ status: 401 });
    const [open] = await (await ada.client.getGitApi()).getPullRequests("acme-app", {}, project);
    await expect(
      reader.call("repos_approve_pull_request", { ...app, pullRequestId: open?.pullRequestId ?? 0 }),
    ).rejects.toMatchObject({ status: 401 });
    expect(
      (await ada.call("repos_get_pull_request", { ...app, pullRequestId: open?.pullRequestId ?? 0 }))
        .reviewers,
    ).toEqual([]);
    const settings = (await ada.call("repos_get_branch_policies", { ...app, branch: "main" }))[0]?.settings;
    expect(settings?.minimumApproverCount).toBe(1);
  });

  it("names the malformed field and types what the service cannot find", async () => {
    const count = await failure<OperationInputError>(
      ada.call("repos_set_branch_policies", { ...protection, minimumReviewers: { count: 0 } }),
    );
    expect(count).toBeInstanceOf(OperationInputError);
    expect(count).toMatchObject({ field: "minimumReviewers.count" });
    const title = await failure<OperationInputError>(
      ada.call("repos_create_pull_request", { ...app, sourceBranch: "feature/signup", title: "" }),
    );
    expect(title).toMatchObject({ field: "title" });
    expect(
      await failure(ada.call("repos_approve_pull_request", { ...app, pullRequestId: -1 })),
    ).toMatchObject({ field: "pullRequestId" });

    await expect(
      ada.call("repos_complete_pull_request", { ...app, pullRequestId: 999_999 }),
    ).rejects.toMatchObject({ status: 404, typeKey: "GitPullRequestNotFoundException" });
    await expect(
      ada.call("repos_set_branch_policies", { ...protection, buildValidation: { pipeline: "ghost" } }),
    ).rejects.toMatchObject({ status: 404, typeKey: "PipelineNotFoundException" });
    await expect(ada.call("repos_get_branch_policies", { ...app, repo: "ghost" })).rejects.toMatchObject({
      status: 404,
      typeKey: "GitRepositoryNotFoundException",
    });
    const noBranch = await failure<AzureDevOpsFactoryError>(
      ada.call("repos_create_pull_request", { ...app, sourceBranch: "feature/none", title: "t" }),
    );
    expect(noBranch).toMatchObject({ status: 400, typeKey: "GitPullRequestCannotBeActivated" });
    const git = await ada.client.getGitApi();
    const [open] = await git.getPullRequests("acme-app", {}, project);
    const stale = await failure<{ statusCode: number; result: { typeKey: string; message: string } }>(
      git.updatePullRequest(
        { status: 3, lastMergeSourceCommit: { commitId: "0".repeat(40) } },
        "acme-app",
        open?.pullRequestId ?? 0,
        project,
      ),
    );
    expect(stale).toMatchObject({ statusCode: 409, result: { typeKey: "GitPullRequestStaleException" } });
    expect(stale.result.message).toMatch(/^TF401192:/);
    const adaId = open?.createdBy?.id ?? "";
    const onBehalf = await failure<{ statusCode: number }>(
      (await bob.client.getGitApi()).createPullRequestReviewer(
        { vote: 10 },
        "acme-app",
        open?.pullRequestId ?? 0,
        adaId,
        project,
      ),
    );
    expect(onBehalf).toMatchObject({ statusCode: 400 });
    const policy = await ada.client.getPolicyApi();
    const badSettings = await failure<{ statusCode: number; result: { typeKey: string; message: string } }>(
      policy.createPolicyConfiguration(
        {
          isEnabled: true,
          isBlocking: true,
          type: { id: "fa4e907d-c16b-4a4c-9dfa-4906e5d171dd" },
          settings: { minimumApproverCount: 1, scope: [] },
        },
        project,
      ),
    );
    expect(badSettings).toMatchObject({
      statusCode: 400,
      result: { typeKey: "PolicySettingsFormatException" },
    });
    expect(badSettings.result.message).toMatch(/^TF402457:/);
  });
});
