import type { z } from "zod";
import type { ServerName } from "./servers.ts";
import {
  BudgetCheckView,
  BudgetsView,
  CredentialView,
  ExchangedGrantView,
  GrantView,
  IntentDecisionView,
  ModelsView,
  ReadDecisionView,
  ResolvedSecretView,
  StoredSecretView,
  TeamView,
  UsageView,
} from "./views.ts";

/** The controller refused (or could not answer) a request; `status` and `code` say why. */
export class ControllerRefused extends Error {
  override name = "ControllerRefused";
  constructor(
    readonly status: number,
    /** The problem's code (a grant rejection such as `grant_revoked`) or its type's last segment. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The controller could not be reached at all. */
export class ControllerUnavailable extends Error {
  override name = "ControllerUnavailable";
}

export interface AgentClientOptions {
  /** The controller's base URL, e.g. http://127.0.0.1:7300. */
  url: string;
  /** Sends a request: `fetch` over the network, or the controller app's own handler in the same process. */
  fetch?: (request: Request) => Promise<Response> | Response;
}

export interface ToolCallRequest {
  tool: string;
  resource: { kind: string; name: string };
}

export interface IntentRequest extends ToolCallRequest {
  idempotencyKey: string;
  /** Secrets marked as `{"$sensitive": value}`: the controller keeps only their keyed HMAC. */
  arguments: Record<string, unknown>;
  approvalId?: string;
  plan?: unknown;
}

interface ProblemBody {
  title?: string;
  detail?: string;
  code?: string;
  type?: string;
  error?: string;
  error_description?: string;
}

/**
 * The controller as an MCP server (or any agent-side component) sees it: every request carries the calling
 * agent's grant, so the controller verifies it (signature, audience, expiry, revocation) each time.
 */
export class AgentClient {
  readonly url: string;
  readonly #fetch: (request: Request) => Promise<Response> | Response;

  constructor(options: AgentClientOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? ((request) => fetch(request));
  }

  /** The grant's claims if it is live; a ControllerRefused `grant_inactive` if not. */
  async introspect(token: string): Promise<GrantView> {
    const body = await this.#send(token, "POST", "/oauth/introspect", new URLSearchParams({ token }));
    const active = (body as { active?: boolean }).active === true;
    if (!active)
      throw new ControllerRefused(401, "grant_inactive", "the grant is expired, revoked or invalid");
    return GrantView.parse(body);
  }

  /** Verifies the grant and decides a read-only tool call. */
  async decideRead(token: string, call: ToolCallRequest) {
    return this.#json(token, "/tool-calls/decide", { ...call, readOnly: true }, ReadDecisionView);
  }

  /** Records a write intent in the ledger and returns its decision, before the write runs. */
  async recordIntent(token: string, intent: IntentRequest) {
    return this.#json(token, "/intents", intent, IntentDecisionView);
  }

  /** Reports how a recorded write ended. */
  async reportOutcome(
    token: string,
    intentId: string,
    outcome: { status: "succeeded" | "failed"; detail?: Record<string, unknown> },
  ): Promise<void> {
    await this.#send(token, "POST", `/intents/${encodeURIComponent(intentId)}/outcome`, outcome);
  }

  /** The provider credential the broker narrowed to this grant. */
  async credential(token: string) {
    return this.#json(token, "/credentials", {}, CredentialView);
  }

  /** Stores `value` in the controller's vault under `ref` (`secret://<the grant's tenant>/…`); returns its fingerprint. */
  async storeSecret(token: string, ref: string, value: string): Promise<StoredSecretView> {
    return StoredSecretView.parse(await this.#send(token, "PUT", "/secrets", { ref, value }));
  }

  /** The value stored under `ref`, a secret of the grant's own tenant. Keep it out of logs and results. */
  async resolveSecret(token: string, ref: string): Promise<string> {
    return (await this.#json(token, "/secrets/resolve", { ref }, ResolvedSecretView)).value;
  }

  /**
   * RFC 8693 `audience`: this agent's own grant for another MCP server, within its role template there (and
   * what its parent holds there), expiring no later than this grant.
   */
  async grantFor(token: string, audience: ServerName) {
    const form = new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: token,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      audience,
    });
    return ExchangedGrantView.parse(await this.#send(undefined, "POST", "/oauth/token", form));
  }

  /**
   * RFC 8693: trades this grant for a child agent's grant for `persona`, on the same server: a new child, or
   * a fresh grant for `agentId`, a child this agent spawned before.
   */
  async exchange(token: string, request: { persona: string; scope?: unknown; agentId?: string }) {
    const form = new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: token,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      persona: request.persona,
      ...(request.scope ? { scope: JSON.stringify(request.scope) } : {}),
      ...(request.agentId ? { agent_id: request.agentId } : {}),
    });
    return ExchangedGrantView.parse(await this.#send(undefined, "POST", "/oauth/token", form));
  }

  /** The grant's tenant's agents with their lineage, the most recent `limit` (default 100). */
  async team(token: string, options: { limit?: number } = {}) {
    const query = options.limit === undefined ? "" : `?limit=${options.limit}`;
    return this.#get(token, `/team${query}`, TeamView);
  }

  /** The models `persona` (the grant's own by default) may call, with their prices. */
  async models(token: string, persona?: string) {
    const query = persona === undefined ? "" : `?persona=${encodeURIComponent(persona)}`;
    return this.#get(token, `/models${query}`, ModelsView);
  }

  /** The tenant's and each persona's model budgets, with usage this day and month. */
  async budgets(token: string) {
    return this.#get(token, "/budgets", BudgetsView);
  }

  /** Before a model call: allowed on this persona's allowlist and within every budget? */
  async checkBudget(token: string, request: { model: string; estimatedTokens: number }) {
    return this.#json(token, "/budgets/check", request, BudgetCheckView);
  }

  /** After a model call: records its usage, flagged `withinPolicy: false` when it broke the allowlist or a budget. */
  async recordUsage(token: string, usage: { model: string; inputTokens: number; outputTokens: number }) {
    return this.#json(token, "/usage", usage, UsageView);
  }

  async #get<S extends z.ZodType>(token: string, path: string, schema: S): Promise<z.output<S>> {
    return schema.parse(await this.#send(token, "GET", path));
  }

  async #json<S extends z.ZodType>(
    token: string,
    path: string,
    body: unknown,
    schema: S,
  ): Promise<z.output<S>> {
    return schema.parse(await this.#send(token, "POST", path, body));
  }

  async #send(token: string | undefined, method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (body instanceof URLSearchParams) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      payload = body.toString();
    } else if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await this.#fetch(
        new Request(`${this.url}${path}`, {
          method,
          headers,
          ...(payload === undefined ? {} : { body: payload }),
        }),
      );
    } catch (error) {
      throw new ControllerUnavailable(`cannot reach the controller at ${this.url}`, { cause: error });
    }
    const text = await response.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (response.ok) return data;
    const problem = (data ?? {}) as ProblemBody;
    const code = problem.code ?? problem.error ?? problem.type?.split("/").pop() ?? `http_${response.status}`;
    const message =
      [problem.title, problem.detail].filter(Boolean).join(": ") ||
      problem.error_description ||
      `the controller answered HTTP ${response.status}`;
    throw new ControllerRefused(response.status, code, message);
  }
}
