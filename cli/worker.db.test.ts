import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminUrl, backends, withDatabaseName } from "../test/support/backends.ts";
import { factoryBin, type RunningFactory, root, run, startFactory } from "../test/support/cli.ts";

const blueprint = `tenant: acme
name: Acme Analytics
azureDevOps: { project: tenant-acme, description: Acme Analytics }
database: false
team: [{ persona: finance, task: Report the budgets. }]
`;

// Workers on other machines share a PostgreSQL server: this suite runs with the PostgreSQL suites, when asked
// (FACTORY_TEST_WORKERS=1). It passed here and in one CI run and timed out in the next, unexplained: see the
// issue 7 note; until then it is not part of CI.
describe.skipIf(!backends.includes("postgres") || process.env.FACTORY_TEST_WORKERS !== "1")(
  "factory worker and tenants apply --queue",
  () => {
    let dir: string;
    let factory: RunningFactory;
    let env: Record<string, string>;
    let bob: Record<string, string>;
    const queueDb = `sf_queue_${process.pid}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "sf-worker-"));
      await admin.unsafe(`create database ${queueDb}`);
      factory = await startFactory({ FACTORY_DATA_DIR: join(dir, "controller"), FACTORY_PORT: "0" });
      env = {
        FACTORY_URL: factory.url,
        FACTORY_API_KEY: factory.adminKey as string,
        FACTORY_DATA_DIR: join(dir, "cli"),
        DATABASE_URL: withDatabaseName(adminUrl, queueDb),
      };
      const added = await run(
        factoryBin,
        ["operators", "add", "bob", "--role", "platform-admin", "--json"],
        env,
      );
      bob = { ...env, FACTORY_API_KEY: (JSON.parse(added.stdout) as { key: string }).key };
      await writeFile(join(dir, "acme.yaml"), blueprint);
    });
    afterAll(async () => {
      await factory?.stop();
      await admin.unsafe(`drop database if exists ${queueDb} with (force)`);
      await admin.end();
      await rm(dir, { recursive: true, force: true });
    });

    it("queues a run that a worker in another process takes through approval to its report", {
      timeout: 150_000,
    }, async () => {
      const worker = spawn(process.execPath, [factoryBin, "worker", "--concurrency", "2"], {
        env: { PATH: process.env.PATH, ...env },
        cwd: root,
      });
      let log = "";
      const approved = new Set<string>();
      const reported = new Promise<void>((resolve, reject) => {
        setTimeout(() => reject(new Error(`no report in 120 s; the worker said:\n${log}`)), 120_000).unref();
        worker.stderr.on("data", async (chunk) => {
          log += chunk;
          if (/: failed: /.test(log)) reject(new Error(`the run failed; the worker said:\n${log}`));
          for (const [, id] of log.matchAll(/waits for approval (apr_[a-z0-9_]+)/g)) {
            if (!id || approved.has(id)) continue;
            approved.add(id);
            await run(factoryBin, ["approvals", "approve", id], bob);
          }
          if (log.includes("[report]")) resolve();
        });
      });
      try {
        const queued = await run(
          factoryBin,
          ["tenants", "apply", join(dir, "acme.yaml"), "--queue", "--json"],
          env,
        );
        expect(queued.code, queued.stderr).toBe(0);
        expect(JSON.parse(queued.stdout)).toMatchObject({
          tenant: "acme",
          status: "queued",
          runId: expect.stringMatching(/^apply-/),
        });
        await reported;
        expect(approved.size).toBe(1);
        expect(log).toMatch(/azure-devops: done \(\d+ changes\)/);
        expect(log).toMatch(/spawned finance \(agt_/);
      } finally {
        worker.kill("SIGTERM");
      }
    });
  },
);
