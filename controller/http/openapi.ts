import { z } from "zod";
import { BudgetCheckBody, ModelsQuery, TeamQuery, UsageBody } from "./ai-routes.ts";
import { ApprovalsQuery, Vote } from "./approval-routes.ts";
import { ReadCallBody } from "./decision-routes.ts";
import { InTenant, RootGrantRequest } from "./grant-routes.ts";
import { IntentBody, OutcomeBody } from "./intent-routes.ts";
import { EntriesQuery, ExportQuery } from "./ledger-routes.ts";
import { KillEverything, NewOperator } from "./operator-routes.ts";
import { ResolveSecretBody, StoreSecretBody } from "./secret-routes.ts";
import { NewTenant } from "./tenant-routes.ts";

type Auth = "none" | "operator" | "platform-admin" | "grant" | "operator-or-grant";

/** One operation: the schemas are the very ones the handlers validate with, so the document cannot drift. */
interface Operation {
  summary: string;
  tag: string;
  auth: Auth;
  body?: z.ZodType;
  /** `form` bodies are application/x-www-form-urlencoded (the OAuth endpoints). */
  form?: Record<string, string>;
  query?: z.ZodObject;
  responses: Record<number, string>;
  /** A non-JSON success response. */
  produces?: string;
}

/** Every route the app serves, by `METHOD path` in OpenAPI path syntax; a test checks both directions. */
export const OPERATIONS: Record<string, Operation> = {
  "GET /health": { summary: "Liveness", tag: "health", auth: "none", responses: { 200: "alive" } },
  "GET /ready": {
    summary: "Readiness: the database answers",
    tag: "health",
    auth: "none",
    responses: { 200: "ready", 503: "database unavailable" },
  },
  "GET /openapi.json": {
    summary: "This document",
    tag: "health",
    auth: "none",
    responses: { 200: "OpenAPI 3.1" },
  },
  "GET /docs": {
    summary: "A readable reference of this API",
    tag: "health",
    auth: "none",
    responses: { 200: "HTML" },
    produces: "text/html",
  },
  "GET /.well-known/oauth-authorization-server": {
    summary: "RFC 8414 authorization server metadata: the token, introspection and key endpoints",
    tag: "grants",
    auth: "none",
    responses: { 200: "the metadata" },
  },
  "GET /.well-known/jwks.json": {
    summary: "The grant signing keys (Ed25519), including retired ones still in their overlap window",
    tag: "grants",
    auth: "none",
    responses: { 200: "a JWK set" },
  },
  "POST /oauth/token": {
    summary:
      "RFC 8693 token exchange: a parent agent trades its grant for a child agent's, or an agent asks for its own grant on another server",
    tag: "grants",
    auth: "none",
    form: {
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: "the parent's grant (or the agent's own, with audience)",
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      persona: "the child's persona (or send audience instead)",
      audience:
        "an MCP server (github, azure-devops, database, ai): the same agent's grant there, within its role template and its parent's grants there",
      role: "optional role template (defaults to the persona's)",
      agent_id:
        "optional, with persona: resume this child the parent spawned before (the same agent, a fresh grant)",
      scope: "optional JSON scope within the parent's and the template's",
    },
    responses: { 200: "the child's grant", 400: "an OAuth error (invalid_grant, invalid_scope, …)" },
  },
  "POST /oauth/introspect": {
    summary: "RFC 7662 introspection: is this grant live, and what does it allow?",
    tag: "grants",
    auth: "operator-or-grant",
    form: { token: "the grant to inspect" },
    responses: { 200: "{active: true, …claims} or {active: false}", 401: "no credential" },
  },
  "POST /grants": {
    summary:
      "Mint a root grant for a new agent (within its role template), or renew a root agent you started",
    tag: "grants",
    auth: "operator",
    body: RootGrantRequest,
    responses: { 201: "the grant, its claims and the agent id", 403: "denied by policy, with reasons" },
  },
  "POST /grants/{jti}/revoke": {
    summary: "Revoke a grant and every grant exchanged from it",
    tag: "grants",
    auth: "operator",
    body: InTenant,
    responses: { 200: "the revoked grant ids" },
  },
  "POST /agents/{id}/revoke": {
    summary: "Revoke an agent, its whole subtree, and every grant they hold",
    tag: "grants",
    auth: "operator",
    body: InTenant,
    responses: { 200: "the revoked grant ids" },
  },
  "POST /operators": {
    summary: "Add an operator; the API key is in this answer only",
    tag: "operators",
    auth: "platform-admin",
    body: NewOperator,
    responses: { 201: "the operator and key", 409: "the name is taken" },
  },
  "POST /kill": {
    summary: "The kill switch for everything: every tenant's grants die, every tenant is suspended",
    tag: "operators",
    auth: "platform-admin",
    body: KillEverything,
    responses: { 200: "the tenants killed" },
  },
  "POST /tenants": {
    summary: "Create a tenant",
    tag: "tenants",
    auth: "operator",
    body: NewTenant,
    responses: { 201: "the tenant", 409: "it exists" },
  },
  "GET /tenants": {
    summary: "List tenants",
    tag: "tenants",
    auth: "operator",
    responses: { 200: "tenants" },
  },
  "GET /tenants/{tenant}": {
    summary: "A tenant with its quotas, usage and live agents",
    tag: "tenants",
    auth: "operator",
    responses: { 200: "the tenant", 404: "no such tenant" },
  },
  "POST /tenants/{tenant}/kill": {
    summary: "The kill switch: every grant of the tenant dies everywhere; the tenant is suspended",
    tag: "tenants",
    auth: "operator",
    responses: { 200: "killed" },
  },
  "GET /tenants/{tenant}/agents/{id}/lineage": {
    summary: "An agent's subtree with every grant each agent holds",
    tag: "tenants",
    auth: "operator",
    responses: { 200: "the tree", 404: "no such agent" },
  },
  "GET /tenants/{tenant}/intents/overdue": {
    summary: "Allowed write intents past their deadline with no outcome",
    tag: "intents",
    auth: "operator",
    responses: { 200: "the overdue intents" },
  },
  "POST /tool-calls/decide": {
    summary: "Verify the caller's grant and decide a read-only tool call (writes are decided as intents)",
    tag: "intents",
    auth: "grant",
    body: ReadCallBody,
    responses: { 200: "the decision (allow or deny, with policies and reasons) and the grant's claims" },
  },
  "POST /intents": {
    summary: "Record a write intent before the tool runs, and get the decision",
    tag: "intents",
    auth: "grant",
    body: IntentBody,
    responses: {
      201: "decided: allow, deny or needs-approval (with the approval id)",
      200: "a replay: the decision as it stands now",
      409: "the idempotency key (or approval id) belongs to another call",
    },
  },
  "POST /intents/{id}/outcome": {
    summary: "Record how the tool ended",
    tag: "intents",
    auth: "grant",
    body: OutcomeBody,
    responses: { 200: "recorded", 400: "unknown, not allowed, or already ended otherwise" },
  },
  "POST /credentials": {
    summary:
      "The provider credential narrowed to the calling grant (GitHub installation token, Azure DevOps token)",
    tag: "credentials",
    auth: "grant",
    responses: {
      200: "the credential: token, expiry, whether it is narrowed, and what it allows; never cache it",
      502: "the provider refused or failed",
      503: "no provider credentials are configured for the grant's server",
    },
  },
  "GET /team": {
    summary:
      "The caller's tenant's agents with their lineage: parent, depth, persona, role, status, who started it",
    tag: "ai",
    auth: "grant",
    query: TeamQuery,
    responses: { 200: "the agents, parents before children, and whether older ones were left out" },
  },
  "GET /models": {
    summary: "The models a persona may call (the caller's own by default), with their prices",
    tag: "ai",
    auth: "grant",
    query: ModelsQuery,
    responses: { 200: "the persona's allowlist from models.yaml" },
  },
  "GET /budgets": {
    summary:
      "The tenant's and each persona's model budgets with usage this day and month, what remains, and which are over",
    tag: "ai",
    auth: "grant",
    responses: { 200: "every budget line, named by its models.yaml path" },
  },
  "POST /budgets/check": {
    summary:
      "Before a model call: is the model on the caller's allowlist, and would the estimate fit every budget?",
    tag: "ai",
    auth: "grant",
    body: BudgetCheckBody,
    responses: { 200: "allow or deny, with the policies and reasons, and the estimated cost" },
  },
  "POST /usage": {
    summary: "After a model call: record its tokens and cost for the calling agent (ledger: model.usage)",
    tag: "ai",
    auth: "grant",
    body: UsageBody,
    responses: {
      201: "the recorded usage with its cost in micro-dollars; withinPolicy false, with the policies and reasons, when the model was off the allowlist or a budget went over (the tokens were spent, so they count)",
    },
  },
  "PUT /secrets": {
    summary:
      "Store (or replace) a secret under secret://<tenant>/…: an agent for its grant's tenant, an operator for the tenant it names",
    tag: "secrets",
    auth: "operator-or-grant",
    body: StoreSecretBody,
    responses: {
      200: "the ref and the value's keyed fingerprint (the ledger records the same, never the value)",
      403: "the ref (or tenant) is another tenant's",
      404: "no such tenant",
    },
  },
  "POST /secrets/resolve": {
    summary:
      "The value stored under a ref of the grant's own tenant; the resolution is recorded in the ledger",
    tag: "secrets",
    auth: "grant",
    body: ResolveSecretBody,
    responses: {
      200: "{ref, value}; never cache it",
      403: "the ref is another tenant's",
      404: "nothing is stored under the ref",
    },
  },
  "GET /approvals": {
    summary: "Approvals, oldest first",
    tag: "approvals",
    auth: "operator",
    query: ApprovalsQuery,
    responses: { 200: "the approvals" },
  },
  "GET /approvals/stream": {
    summary: "Server-sent events: every pending approval, then each change as it happens",
    tag: "approvals",
    auth: "operator",
    responses: { 200: "an event stream of `approval` events" },
    produces: "text/event-stream",
  },
  "GET /approvals/{id}": {
    summary: "One approval: the call, its plan, who asked and what it needs",
    tag: "approvals",
    auth: "operator",
    responses: { 200: "the approval", 404: "no such approval" },
  },
  "POST /approvals/{id}/approve": {
    summary: "Approve; the call goes through once a quorum of distinct approvers agrees",
    tag: "approvals",
    auth: "operator",
    body: Vote,
    responses: {
      200: "the approval after the vote",
      403: "not an approver, or the requester's own lineage",
      409: "already voted, or already settled",
    },
  },
  "POST /approvals/{id}/deny": {
    summary: "Deny; one deny rejects the call",
    tag: "approvals",
    auth: "operator",
    body: Vote,
    responses: { 200: "the approval after the vote", 403: "not an approver", 409: "already settled" },
  },
  "GET /ledger/head": {
    summary: "The chain's tip",
    tag: "ledger",
    auth: "none",
    responses: { 200: "seq and hash" },
  },
  "GET /ledger/checkpoints": {
    summary: "Signed Merkle checkpoints",
    tag: "ledger",
    auth: "none",
    responses: { 200: "the checkpoints" },
  },
  "POST /ledger/checkpoints": {
    summary: "Sign a checkpoint over every entry now",
    tag: "ledger",
    auth: "operator",
    responses: { 201: "the checkpoint", 409: "the ledger is empty" },
  },
  "GET /.well-known/ledger-key.json": {
    summary: "The checkpoint signing key",
    tag: "ledger",
    auth: "none",
    responses: { 200: "a JWK" },
  },
  "GET /ledger/entries": {
    summary: "Entries in chain order, a page at a time",
    tag: "ledger",
    auth: "operator",
    query: EntriesQuery,
    responses: { 200: "entries and the `after` of the next page" },
  },
  "GET /ledger/export": {
    summary:
      "A verifiable bundle (manifest, entries, checkpoints, public key) as a tar; check it with factory-verify-bundle",
    tag: "ledger",
    auth: "operator",
    query: ExportQuery,
    produces: "application/x-tar",
    responses: { 200: "the bundle, signed up to a checkpoint made for it" },
  },
  "GET /ledger/entries/{seq}/proof": {
    summary: "An entry with its RFC 9162 inclusion proof under the latest signed checkpoint",
    tag: "ledger",
    auth: "operator",
    responses: { 200: "entry, checkpoint and audit path", 409: "not under a checkpoint yet" },
  },
};

const SECURITY: Record<Auth, Record<string, string[]>[]> = {
  none: [],
  operator: [{ operatorKey: [] }],
  "platform-admin": [{ operatorKey: [] }],
  grant: [{ grant: [] }],
  "operator-or-grant": [{ operatorKey: [] }, { grant: [] }],
};

const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return rest;
};

const problem = {
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
};

/** The OpenAPI 3.1 document of the controller's API. */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [key, op] of Object.entries(OPERATIONS)) {
    const [method, path] = key.split(" ") as [string, string];
    const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    const queryParams = op.query
      ? Object.entries(jsonSchema(op.query).properties ?? {}).map(([name, schema]) => ({
          name,
          in: "query",
          required: false,
          schema,
        }))
      : [];
    const responses: Record<string, unknown> = {};
    for (const [status, description] of Object.entries(op.responses))
      responses[status] =
        Number(status) >= 400
          ? { description, ...problem }
          : { description, content: { [op.produces ?? "application/json"]: {} } };
    if (op.auth !== "none") responses[401] = { description: "missing or refused credential", ...problem };
    if (op.auth === "platform-admin") responses[403] ??= { description: "not a platform-admin", ...problem };
    if (op.body) responses[400] ??= { description: "a field is invalid (named in `errors`)", ...problem };
    responses[429] = { description: "rate limited; see Retry-After", ...problem };
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[method.toLowerCase()] = {
      summary: op.summary,
      tags: [op.tag],
      operationId: key.replace(/[^A-Za-z0-9]+/g, "_").replace(/_$/, ""),
      security: SECURITY[op.auth],
      ...(pathParams.length + queryParams.length > 0 ? { parameters: [...pathParams, ...queryParams] } : {}),
      ...(op.body
        ? {
            requestBody: { required: true, content: { "application/json": { schema: jsonSchema(op.body) } } },
          }
        : {}),
      ...(op.form
        ? {
            requestBody: {
              required: true,
              content: {
                "application/x-www-form-urlencoded": {
                  schema: {
                    type: "object",
                    properties: Object.fromEntries(
                      Object.entries(op.form).map(([k, d]) => [k, { type: "string", description: d }]),
                    ),
                  },
                },
              },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "startup-factory controller",
      version,
      description:
        "The trusted authority of startup-factory: grants, write intents, approvals, the kill switch and the ledger. Errors are RFC 9457 problem+json naming the bad field; every response carries X-Request-Id.",
    },
    paths,
    components: {
      securitySchemes: {
        operatorKey: { type: "http", scheme: "bearer", description: "an operator API key, sfk_…" },
        grant: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "an agent's grant (EdDSA JWT)",
        },
      },
      schemas: {
        Problem: {
          type: "object",
          required: ["type", "title", "status"],
          properties: {
            type: { type: "string", format: "uri" },
            title: { type: "string" },
            status: { type: "integer" },
            detail: { type: "string" },
            requestId: { type: "string" },
            errors: {
              type: "array",
              items: {
                type: "object",
                properties: { field: { type: "string" }, message: { type: "string" } },
              },
            },
          },
        },
      },
    },
  };
}
