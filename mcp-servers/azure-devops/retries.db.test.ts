import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAdoSandbox, startAdoSandbox } from "../../test/support/ado-sandbox.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { failure } from "../../test/support/failure.ts";
import type { AzureDevOpsFactoryError } from "./errors.ts";
import { AzureDevOpsFactory } from "./factory.ts";

const REPOS = "/acme-org/tenant-acme/_apis/git/repositories";

describe.each(backends)("the Azure DevOps factory when the service fails or throttles, on %s", (backend) => {
  let database: TestDatabase;
  let sandbox: RunningAdoSandbox;
  let admin: AzureDevOpsFactory;

  beforeAll(async () => {
    database = await freshDatabase(backend);
    sandbox = await startAdoSandbox({ database, org: "acme-org" });
    admin = new AzureDevOpsFactory({ orgUrl: sandbox.orgUrl, token: await sandbox.pat(), kind: "pat" });
    await admin.call("projects_create_project", { project: "tenant-acme" });
  });
  afterAll(async () => {
    await sandbox.close();
    await database.dispose();
  });

  /** The next `times` requests to `method path` answered 429 with this Retry-After. */
  const throttle = (method: "GET" | "POST", path: string, retryAfter: string, times = 1) =>
    sandbox.world.injectFault({
      method,
      path,
      status: 429,
      times,
      message: "TF400733: The request has been throttled.",
      headers: { "retry-after": retryAfter },
    });

  it("leaves nothing half-written when the service fails a push, and the retried push lands once", async () => {
    const flaky = { project: "tenant-acme", repo: "acme-flaky" };
    await admin.call("repos_create_repository", flaky);
    await sandbox.world.injectFault({
      method: "POST",
      path: `${REPOS}/acme-flaky/pushes`,
      status: 503,
      message: "TF246017: The service is temporarily unavailable.",
    });
    const push = { ...flaky, message: "Scaffold", files: [{ path: "README.md", content: "# flaky\n" }] };
    const failed = await failure<AzureDevOpsFactoryError>(admin.call("repos_push_files", push));
    expect(failed).toMatchObject({
      operation: "repos_push_files",
      status: 503,
      typeKey: "InjectedFaultException",
    });
    expect(await admin.call("repos_get_file", { ...flaky, path: "README.md" })).toBeNull();
    expect((await admin.call("repos_push_files", push)).changed).toBe(true);
    expect(await admin.call("repos_push_files", push)).toMatchObject({ changed: false });
    const refs = await (await admin.client.getGitApi()).getRefs("acme-flaky", "tenant-acme", "heads/main");
    const allRefs = await (await admin.client.getGitApi()).getRefs("acme-flaky", "tenant-acme");
    expect(refs.map((r) => r.name)).toEqual(["refs/heads/main"]);
    expect(allRefs).toHaveLength(1);
  });

  it("retries a read the service fails with a 503 (three times at most), and never a write", async () => {
    const read = { project: "tenant-acme", repo: "acme-reads" };
    await admin.call("repos_create_repository", read);
    const path = `${REPOS}/acme-reads`;
    await sandbox.world.injectFault({ method: "GET", path, status: 503, times: 2 });
    expect(await admin.call("repos_get_repository", read)).toMatchObject({ name: "acme-reads" });
    expect(await sandbox.world.armedFaults()).toEqual([]);
    await sandbox.world.injectFault({ method: "GET", path, status: 503, times: 5 });
    await expect(admin.call("repos_get_repository", read)).rejects.toMatchObject({ status: 503 });
    // The first try and three retries met the fault; one is left.
    expect(await sandbox.world.armedFaults()).toEqual([`GET ${path} ×1`]);
  });

  it("sends a throttled request again after its Retry-After, a write included, three times at most", async () => {
    const repo = { project: "tenant-acme", repo: "acme-throttled" };
    const path = `${REPOS}/acme-throttled`;
    const armed = async () =>
      (await sandbox.world.armedFaults()).filter((f) => f.startsWith(`POST ${REPOS} `) || f.includes(path));
    await throttle("POST", REPOS, "0");
    expect(await admin.call("repos_create_repository", repo)).toMatchObject({ name: "acme-throttled" });
    expect(await armed()).toEqual([]);
    const repos = await (await admin.client.getGitApi()).getRepositories("tenant-acme");
    expect(repos.filter((r) => r.name === "acme-throttled")).toHaveLength(1);
    await throttle("GET", path, "1");
    expect(await admin.call("repos_get_repository", repo)).toMatchObject({ name: "acme-throttled" });
    await throttle("GET", path, "0", 5);
    await expect(admin.call("repos_get_repository", repo)).rejects.toMatchObject({ status: 429 });
    // The first try and three retries met the fault; one is left.
    expect(await armed()).toEqual([`GET ${path} ×1`]);
    // A world that scales its waits: an hour's Retry-After (a minute at most) lasts a minute of milliseconds.
    const hurried = new AzureDevOpsFactory({
      orgUrl: sandbox.orgUrl,
      token: await sandbox.pat(),
      kind: "pat",
      retryAfterUnitMs: 1,
    });
    await throttle("GET", path, "3600");
    expect(await hurried.call("repos_get_repository", repo)).toMatchObject({ name: "acme-throttled" });
    expect(await armed()).toEqual([]);
  });
});
