import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { adminUrl, withDatabaseName } from "../test/support/backends.ts";
import { factoryBin, type RunningFactory, run, startFactory } from "../test/support/cli.ts";
import { eventually } from "../test/support/eventually.ts";

const call = async (url: string, path: string, token: string, body?: unknown) => {
  const response = await fetch(`${url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const intent = (key: string) => ({
  tool: "contents_create_or_update_file",
  resource: { kind: "repository", name: "acme-app" },
  idempotencyKey: key,
  arguments: { path: "README.md" },
  deadlineSeconds: 1,
});

describe("a controller killed between an intent and its outcome", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("keeps the intent, flags it overdue after the restart, and still takes its outcome", {
    timeout: 150_000,
  }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "sf-crash-"));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = { FACTORY_DATA_DIR: dataDir, FACTORY_PORT: "0" };
    const first = await startFactory(env);
    const admin = first.adminKey as string;
    await call(first.url, "/tenants", admin, { id: "acme", displayName: "Acme" });
    const grant = (
      await call(first.url, "/grants", admin, { tenant: "acme", persona: "dev", audience: "github" })
    ).body.token as string;
    const recorded = await call(first.url, "/intents", grant, intent("crash-0001"));
    expect(recorded).toMatchObject({ status: 201, body: { decision: "allow" } });
    const intentId = recorded.body.intentId as string;

    // The crash: no shutdown, no final checkpoint, no outcome.
    const died = new Promise((resolve) => first.child.once("exit", resolve));
    first.child.kill("SIGKILL");
    await died;

    const second = await startFactory(env);
    cleanup.push(() => second.stop());
    await eventually(
      async () =>
        (
          (await call(second.url, "/tenants/acme/intents/overdue", admin)).body.overdue as { id: string }[]
        ).some((i) => i.id === intentId),
      "the intent flagged overdue",
    );
    // The same idempotency key after the crash is a replay of the recorded decision, never a second run.
    const replay = await call(second.url, "/intents", grant, intent("crash-0001"));
    expect(replay).toMatchObject({ status: 200, body: { intentId, replayed: true } });
    expect(await second.stop()).toBe(0);

    const audit = await run(factoryBin, ["audit", "overdue", "--tenant", "acme", "--json"], env);
    expect(audit.code).toBe(1);
    expect(JSON.parse(audit.stdout).overdue.map((i: { id: string }) => i.id)).toEqual([intentId]);
    const verify = await run(factoryBin, ["audit", "verify", "--json"], env);
    expect(verify.code).toBe(0);

    const third = await startFactory(env);
    cleanup.push(() => third.stop());
    const outcome = await call(third.url, `/intents/${intentId}/outcome`, grant, { status: "succeeded" });
    expect(outcome).toMatchObject({ status: 200, body: { outcome: "succeeded" } });
    expect((await call(third.url, "/tenants/acme/intents/overdue", admin)).body.overdue).toEqual([]);
  });
});

const postgresReachable = await (async () => {
  const probe = postgres(adminUrl, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await probe`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end();
  }
})();

describe.runIf(postgresReachable)("two controllers on one PostgreSQL database", () => {
  const name = `sf_two_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const running: RunningFactory[] = [];
  afterAll(async () => {
    for (const factory of running) await factory.stop();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it("refuses a grant in the second process as soon as the first kills its tenant", async () => {
    await admin.unsafe(`create database ${name}`);
    const url = withDatabaseName(adminUrl, name);
    const keys = await mkdtemp(join(tmpdir(), "sf-two-keys-"));
    running.push({ stop: () => rm(keys, { recursive: true, force: true }) } as unknown as RunningFactory);
    // Both processes share the database and the key files, as two replicas behind a load balancer would.
    const env = {
      DATABASE_URL: url,
      FACTORY_KEYS_DIR: keys,
      FACTORY_PORT: "0",
      FACTORY_DATA_DIR: keys,
    };
    const a = await startFactory(env);
    running.push(a);
    const b = await startFactory(env);
    running.push(b);
    const key = a.adminKey as string;
    await call(a.url, "/tenants", key, { id: "acme", displayName: "Acme" });
    const grant = (await call(a.url, "/grants", key, { tenant: "acme", persona: "dev", audience: "github" }))
      .body.token as string;
    expect((await call(b.url, "/intents", grant, intent("two-0001"))).status).toBe(201);

    const killed = await call(a.url, "/tenants/acme/kill", key, {});
    expect(killed.status).toBe(200);
    await eventually(
      async () => (await call(b.url, "/intents", grant, intent("two-0002"))).status === 401,
      "the second process refusing the grant",
      2000,
    );
    const refused = await call(b.url, "/intents", grant, intent("two-0003"));
    expect(refused.body).toMatchObject({ code: "grant_revoked" });
  });
});
