import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/support/app.ts";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { tenants } from "../db/schema.ts";
import { asPlatform } from "../db/scope.ts";
import type { Grants } from "../grants/grants.ts";

const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT = "urn:ietf:params:oauth:token-type:jwt";

describe.each(backends)("the token endpoint on %s", (backend) => {
  let database: TestDatabase;
  let grants: Grants;
  let app: TestApp["app"];
  let harness: TestApp;
  let parentToken: string;
  const exchange = (fields: Record<string, string>) =>
    app.request("/oauth/token", { method: "POST", body: new URLSearchParams(fields) });
  const base = () => ({
    grant_type: EXCHANGE,
    subject_token_type: JWT,
    subject_token: parentToken,
    persona: "dev",
  });

  beforeAll(async () => {
    database = await freshDatabase(backend);
    harness = await testApp(database);
    ({ app, grants } = harness);
    await asPlatform(database.db, (tx) => tx.insert(tenants).values({ id: "acme", displayName: "Acme" }));
    parentToken = (
      await grants.issuer.mint({
        tenant: "acme",
        persona: "founder",
        audience: "github",
        actor: "operator:ada",
      })
    ).token;
  });
  afterAll(async () => {
    await harness.close();
    await database.dispose();
  });

  it("publishes the grant signing keys, public parts only", async () => {
    const response = await app.request("/.well-known/jwks.json");
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: Record<string, string>[] };
    expect(keys).toEqual([
      {
        kty: "OKP",
        crv: "Ed25519",
        x: expect.any(String),
        kid: grants.ring.current.kid,
        alg: "EdDSA",
        use: "sig",
      },
    ]);
  });

  it("exchanges a parent's grant for a child's (RFC 8693)", async () => {
    const response = await exchange(base());
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      issued_token_type: JWT,
      token_type: "Bearer",
      agent_id: expect.stringMatching(/^agt_/),
    });
    const claims = await grants.verifierFor("github").verify(body.access_token as string);
    expect(claims).toMatchObject({ persona: "dev", depth: 1, tenant: "acme" });
    expect(body.expires_in).toBe(claims.exp - claims.iat);
  });

  it("answers OAuth errors for bad requests, bad grants and denials", async () => {
    const error = async (fields: Record<string, string>) => {
      const response = await exchange(fields);
      return {
        status: response.status,
        body: (await response.json()) as { error: string; error_description: string },
      };
    };
    expect(await error({ ...base(), subject_token: "not.a.token" })).toMatchObject({
      status: 400,
      body: { error: "invalid_request" },
    });
    expect(await error({ ...base(), grant_type: "password" })).toMatchObject({
      status: 400,
      body: { error: "unsupported_grant_type" },
    });
    expect(await error({ ...base(), persona: "" })).toMatchObject({
      status: 400,
      body: { error: "invalid_request", error_description: "persona or audience is required" },
    });
    expect(await error({ ...base(), audience: "ai" })).toMatchObject({
      status: 400,
      body: { error: "invalid_request", error_description: expect.stringMatching(/not both/) },
    });
    expect(await error({ ...base(), subject_token: `${parentToken.slice(0, -4)}AAAA` })).toMatchObject({
      status: 400,
      body: { error: "invalid_grant", error_description: expect.stringMatching(/^grant_bad_signature/) },
    });
    const wide = JSON.stringify([{ tools: ["protection_*"], resources: ["acme-api"] }]);
    expect(await error({ ...base(), scope: wide })).toMatchObject({
      status: 400,
      body: { error: "invalid_scope" },
    });
    expect(await error({ ...base(), scope: "{not json" })).toMatchObject({
      status: 400,
      body: { error: "invalid_scope" },
    });
    expect(await error({ ...base(), persona: "cfo" })).toMatchObject({
      status: 400,
      body: { error: "unauthorized_client" },
    });
  });

  describe("an agent's grant on another server (audience)", () => {
    const forAudience = (subject: string, audience: string) =>
      exchange({ grant_type: EXCHANGE, subject_token_type: JWT, subject_token: subject, audience });
    const grantOf = async (response: Response) => {
      expect(response.status).toBe(200);
      return (await response.json()) as { access_token: string; agent_id: string };
    };

    it("is the same agent's, descends from the subject grant, and dies with it", async () => {
      const founder = await grants.issuer.mint({
        tenant: "acme",
        persona: "founder",
        audience: "github",
        actor: "operator:ada",
      });
      const ai = await grantOf(await forAudience(founder.token, "ai"));
      expect(ai.agent_id).toBe(founder.agentId);
      const claims = await grants.verifierFor("ai").verify(ai.access_token);
      expect(claims).toMatchObject({
        sub: founder.agentId,
        aud: "ai",
        persona: "founder",
        depth: 0,
        anc: [founder.claims.jti],
      });
      expect(claims.exp).toBeLessThanOrEqual(founder.claims.exp);
      await grants.revoker.revokeGrant("acme", founder.claims.jti, "operator:ada");
      await expect(grants.verifierFor("ai").verify(ai.access_token)).rejects.toMatchObject({
        code: "grant_ancestor_revoked",
      });
    });

    it("refuses a server that does not exist", async () => {
      const response = await forAudience(parentToken, "jira");
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_target" });
    });

    it("gives a child only what its parent holds on that server", async () => {
      const founder = await grants.issuer.mint({
        tenant: "acme",
        persona: "founder",
        audience: "ai",
        actor: "operator:ada",
      });
      const ops = await grants.issuer.exchange({ subjectToken: founder.token, persona: "ops" });
      const refused = await forAudience(ops.token, "azure-devops");
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({
        error: "invalid_scope",
        error_description: expect.stringMatching(/holds nothing on azure-devops/),
      });
      await grantOf(await forAudience(founder.token, "azure-devops"));
      const granted = await grantOf(await forAudience(ops.token, "azure-devops"));
      const claims = await grants.verifierFor("azure-devops").verify(granted.access_token);
      expect(claims).toMatchObject({ sub: ops.agentId, persona: "ops", depth: 1 });
      expect(claims.scope.length).toBeGreaterThan(0);
    });
  });
});
