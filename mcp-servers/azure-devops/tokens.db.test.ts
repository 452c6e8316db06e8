import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAdoSandbox, startAdoSandbox } from "../../test/support/ado-sandbox.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { failure } from "../../test/support/failure.ts";
import { OperationInputError } from "../shared/operation.ts";
import { AzureDevOpsFactoryError } from "./errors.ts";
import { AzureDevOpsFactory } from "./factory.ts";

const ORG = "acme-org";

describe.each(backends)("personal access token lifecycle against the sandbox on %s", (backend) => {
  let database: TestDatabase;
  let sandbox: RunningAdoSandbox;
  let ada: AzureDevOpsFactory;
  let admin: AzureDevOpsFactory;
  const withPat = (token: string) => new AzureDevOpsFactory({ orgUrl: sandbox.orgUrl, token, kind: "pat" });
  const asEntra = async (user: string, kind: "user" | "servicePrincipal" = "user") =>
    new AzureDevOpsFactory({
      orgUrl: sandbox.orgUrl,
      token: await sandbox.world.entraToken(ORG, user, { kind }),
      kind: "bearer",
    });
  /** The tokens API without the factory's own checks, as another tool would call it. */
  const createRaw = async (body: Record<string, unknown>) => {
    const response = await fetch(`${sandbox.orgUrl}/_apis/tokens/pats?api-version=7.1-preview.1`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await sandbox.world.entraToken(ORG, "ada@example.com")}`,
        "content-type": "application/json",
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    database = await freshDatabase(backend);
    sandbox = await startAdoSandbox({ database, org: ORG });
    admin = withPat(await sandbox.pat());
    ada = await asEntra("ada@example.com");
    await admin.call("projects_create_project", { project: "tenant-acme" });
  });
  afterAll(async () => {
    await sandbox.close();
    await database.dispose();
  });

  it("creates a scoped, expiring PAT that works within its scopes only, lists it without the token, and revokes it", async () => {
    const before = Date.now();
    const created = await ada.call("tokens_create_pat", {
      displayName: "acme-reader",
      scopes: ["vso.project", "vso.code"],
      lifetimeDays: 7,
    });
    expect(created).toMatchObject({ displayName: "acme-reader", scopes: ["vso.project", "vso.code"] });
    expect(created.authorizationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.token).toHaveLength(52);
    const lifetime = new Date(created.validTo).getTime() - before;
    expect(lifetime).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(lifetime).toBeLessThanOrEqual(7 * 86_400_000 + 60_000);

    const reader = withPat(created.token);
    expect((await reader.call("projects_get_project", { project: "tenant-acme" }))?.name).toBe("tenant-acme");
    expect(await reader.call("repos_list_repositories", { project: "tenant-acme" })).toEqual([]);
    const outside = await failure<AzureDevOpsFactoryError>(
      reader.call("repos_create_repository", { project: "tenant-acme", repo: "acme-rogue" }),
    );
    expect(outside).toMatchObject({ status: 401, typeKey: "UnauthorizedRequestException" });

    const listed = await ada.call("tokens_list_pats", {});
    expect(listed).toEqual([
      {
        authorizationId: created.authorizationId,
        displayName: "acme-reader",
        scopes: ["vso.project", "vso.code"],
        validFrom: created.validFrom,
        validTo: created.validTo,
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.token);

    expect(await ada.call("tokens_revoke_pat", { authorizationId: created.authorizationId })).toEqual({
      authorizationId: created.authorizationId,
      revoked: true,
    });
    await expect(reader.call("projects_get_project", { project: "tenant-acme" })).rejects.toMatchObject({
      status: 401,
    });
    expect(await ada.call("tokens_list_pats", {})).toEqual([]);
    expect((await ada.call("tokens_list_pats", { filter: "revoked" })).map((p) => p.authorizationId)).toEqual(
      [created.authorizationId],
    );
  });

  it("pages through a long list with the continuation token, showing each user only their own", async () => {
    const bo = await asEntra("bo@example.com");
    const names = Array.from({ length: 105 }, (_, n) => `bo-${String(n).padStart(3, "0")}`);
    for (const displayName of names)
      await bo.call("tokens_create_pat", { displayName, scopes: ["vso.work"], lifetimeMinutes: 30 });
    expect((await bo.call("tokens_list_pats", {})).map((p) => p.displayName)).toEqual(names);
    expect(
      (await ada.call("tokens_list_pats", { filter: "all" })).every((p) => p.displayName === "acme-reader"),
    ).toBe(true);
  });

  it("answers only an Entra user: a full-access PAT and a service principal are refused", async () => {
    const viaPat = await failure<AzureDevOpsFactoryError>(
      withPat(await sandbox.pat()).call("tokens_list_pats", {}),
    );
    expect(viaPat).toBeInstanceOf(AzureDevOpsFactoryError);
    expect(viaPat).toMatchObject({
      status: 403,
      typeKey: "InvalidAccessException",
      serviceMessage: "The requested operation is not allowed.",
    });
    const principal = await asEntra("acme-automation", "servicePrincipal");
    const viaPrincipal = await failure<AzureDevOpsFactoryError>(
      principal.call("tokens_create_pat", { displayName: "sp", scopes: ["vso.code"], lifetimeDays: 1 }),
    );
    expect(viaPrincipal).toMatchObject({
      status: 403,
      typeKey: "InvalidAccessException",
      serviceMessage: "Service principals are not allowed to perform this action.",
    });
    // The service principal's token still works for everything else.
    expect(await principal.call("projects_list_projects", {})).toHaveLength(1);
  });

  it("refuses malformed input by field before anything is sent", async () => {
    const cases: [unknown, string][] = [
      [{ displayName: "x", scopes: ["vso.everything"], lifetimeDays: 1 }, "scopes.0"],
      [{ displayName: "x", scopes: [], lifetimeDays: 1 }, "scopes"],
      [{ displayName: "x", scopes: ["vso.code"] }, "lifetimeMinutes"],
      [{ displayName: "x", scopes: ["vso.code"], lifetimeDays: 1, lifetimeMinutes: 5 }, "lifetimeMinutes"],
      [{ displayName: "x", scopes: ["vso.code"], lifetimeDays: 400 }, "lifetimeDays"],
      [{ displayName: " ", scopes: ["vso.code"], lifetimeDays: 1 }, "displayName"],
    ];
    for (const [input, field] of cases) {
      const bad = await failure<OperationInputError>(ada.call("tokens_create_pat", input as never));
      expect(bad).toBeInstanceOf(OperationInputError);
      expect(bad).toMatchObject({ field });
    }
    const badId = await failure<OperationInputError>(
      ada.call("tokens_revoke_pat", { authorizationId: "../pats" }),
    );
    expect(badId).toMatchObject({ field: "authorizationId" });
  });

  it("reports an unknown authorization id, or another user's, as a typed 404", async () => {
    const missing = await failure<AzureDevOpsFactoryError>(
      ada.call("tokens_revoke_pat", { authorizationId: "00000000-0000-4000-a000-000000000000" }),
    );
    expect(missing).toMatchObject({ status: 404, typeKey: "SessionTokenNotFoundException" });
    const bos = await (await asEntra("bo@example.com")).call("tokens_list_pats", {});
    const theirs = await failure<AzureDevOpsFactoryError>(
      ada.call("tokens_revoke_pat", { authorizationId: bos[0]?.authorizationId as string }),
    );
    expect(theirs).toMatchObject({ status: 404 });
  });

  it("refuses, in the tokens API's words, unknown scopes and an end in the past or beyond a year", async () => {
    const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
    expect(await createRaw({ displayName: "x", scope: "vso.code vso.bogus", validTo: inDays(1) })).toEqual({
      status: 400,
      body: { patToken: null, patTokenError: "invalidScope" },
    });
    for (const validTo of [inDays(-1), inDays(400), "soon"])
      expect(await createRaw({ displayName: "x", scope: "vso.code", validTo })).toEqual({
        status: 400,
        body: { patToken: null, patTokenError: "invalidValidTo" },
      });
    expect((await createRaw({ scope: "vso.code", validTo: inDays(1) })).body).toEqual({
      patToken: null,
      patTokenError: "displayNameRequired",
    });
    const ok = await createRaw({
      displayName: "raw",
      scope: "vso.code vso.build_execute",
      validTo: inDays(1),
    });
    expect(ok).toMatchObject({
      status: 200,
      body: { patTokenError: "none", patToken: { displayName: "raw", scope: "vso.code vso.build_execute" } },
    });
  });
});
