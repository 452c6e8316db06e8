import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { testLedger } from "../../test/support/ledger.ts";
import { Approvals } from "../approvals/approvals.ts";
import { intents as intentsTable, tenants } from "../db/schema.ts";
import { asPlatform, withTenant } from "../db/scope.ts";
import type { GrantClaims } from "../grants/claims.ts";
import { GrantIssuer } from "../grants/issue.ts";
import { RevocationList } from "../grants/revocations.ts";
import { GrantKeyRing } from "../grants/signing-keys.ts";
import { GrantVerifier } from "../grants/verifier.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { sensitive } from "../ledger/sensitive.ts";
import { loadPolicies } from "../policy/policies.ts";
import { IdempotencyConflict, Intents } from "./intents.ts";

describe.each(backends)("write intents on %s", (backend) => {
  let database: TestDatabase;
  let ledger: Ledger;
  let intents: Intents;
  let dev: GrantClaims;
  let ops: GrantClaims;
  let clock = Date.parse("2026-03-01T10:00:00Z");

  beforeAll(async () => {
    database = await freshDatabase(backend);
    ledger = testLedger(database);
    const policies = await loadPolicies(join(import.meta.dirname, "../../policies"));
    const ring = GrantKeyRing.inMemory(3600);
    const revocations = new RevocationList();
    const verifierFor = (audience: GrantClaims["aud"]) =>
      new GrantVerifier({ audience, jwks: () => ring.jwks(), revocations });
    const issuer = new GrantIssuer({ db: database.db, ledger, policies, ring, verifierFor });
    const now = () => new Date(clock);
    const approvals = new Approvals({ db: database.db, ledger, expireAfterMinutes: 60, clock: now });
    intents = new Intents({ db: database.db, ledger, engine: policies.engine, approvals, clock: now });
    await asPlatform(database.db, (tx) => tx.insert(tenants).values({ id: "acme", displayName: "Acme" }));
    dev = (await issuer.mint({ tenant: "acme", persona: "dev", audience: "github", actor: "test" })).claims;
    ops = (await issuer.mint({ tenant: "acme", persona: "ops", audience: "azure-devops", actor: "test" }))
      .claims;
  });
  afterAll(() => database.dispose());

  const commit = (key: string, args: Record<string, unknown> = { branch: "feature/login" }) => ({
    tool: "contents_commit_files",
    resource: { kind: "repository", name: "acme-api" },
    idempotencyKey: key,
    arguments: args as never,
    plan: { files: ["src/login.ts"] },
  });

  it("records and decides an intent in the ledger before the tool runs, then its outcome", async () => {
    const decided = await intents.record(dev, commit("commit-0001"));
    expect(decided).toMatchObject({
      decision: "allow",
      policies: ["role.github.dev.scope0"],
      replayed: false,
    });
    await intents.complete("acme", decided.intentId, { status: "succeeded", detail: { commit: "abc123" } });
    const trail = (await ledger.entries({ limit: 100 })).filter((e) => e.action.startsWith("intent."));
    expect(trail.map((e) => [e.action, e.payload.intent])).toEqual([
      ["intent.recorded", decided.intentId],
      ["intent.completed", decided.intentId],
    ]);
    expect(trail[0]?.seq).toBeLessThan(trail[1]?.seq as number);
  });

  it("answers a replay with the original decision and never records it twice", async () => {
    const first = await intents.record(dev, commit("commit-0002"));
    const again = await intents.record(dev, commit("commit-0002"));
    expect(again).toEqual({ ...first, replayed: true });
    const recorded = (await ledger.entries({ limit: 100 })).filter(
      (e) => e.payload.idempotencyKey === "commit-0002",
    );
    expect(recorded).toHaveLength(1);
    await expect(intents.record(dev, commit("commit-0002", { branch: "main" }))).rejects.toThrow(
      IdempotencyConflict,
    );
  });

  it("denies what the grant does not cover, and holds risky writes for approval", async () => {
    const outside = await intents.record(dev, {
      ...commit("commit-0003"),
      resource: { kind: "repository", name: "globex-api" },
    });
    expect(outside).toMatchObject({ decision: "deny", policies: ["grant-scope"] });
    const connection = await intents.record(ops, {
      tool: "service_connections_create_connection",
      resource: { kind: "service_connection", name: "acme-azure" },
      idempotencyKey: "sc-0000001",
      arguments: { subscription: "sub-1", secret: sensitive("client-secret-value") },
    });
    expect(connection).toMatchObject({
      decision: "needs-approval",
      policies: ["approval.service-connections"],
      approvalId: expect.stringMatching(/^apr_acme_[0-9a-f]{32}$/),
    });
    await expect(intents.complete("acme", connection.intentId, { status: "succeeded" })).rejects.toThrow(
      /was not allowed/,
    );
    const stored = await withTenant(database.db, "acme", (tx) => tx.select().from(intentsTable));
    expect(JSON.stringify(stored)).not.toContain("client-secret-value");
    expect(JSON.stringify(await ledger.entries({ limit: 100 }))).not.toContain("client-secret-value");
  });

  it("flags an allowed intent whose tool never reported back (a crash between intent and outcome)", async () => {
    const crashed = await intents.record(dev, { ...commit("commit-0004"), deadlineSeconds: 60 });
    expect((await intents.overdue("acme")).map((i) => i.id)).not.toContain(crashed.intentId);
    clock += 61_000;
    const overdue = await intents.overdue("acme");
    expect(overdue.map((i) => i.id)).toContain(crashed.intentId);
    expect(overdue.map((i) => i.id)).not.toContain(
      (await intents.record(dev, commit("commit-0001"))).intentId,
    ); // completed
  });

  it("rejects malformed intents naming the field", async () => {
    await expect(intents.record(dev, { ...commit("short") })).rejects.toThrow(/idempotencyKey/);
    await expect(intents.record(dev, { ...commit("commit-0005"), tool: "Not A Tool" })).rejects.toThrow(
      /tool/,
    );
  });
});
