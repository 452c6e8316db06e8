import { z } from "zod";
import { ControllerUnavailable } from "./agent-client.ts";
import type { ServerName } from "./servers.ts";

const IssuedView = z.object({ token: z.string(), agentId: z.string() });
const ApprovalStatusView = z.object({ id: z.string(), status: z.string() });

/** An operator's request the controller refused; the message is the controller's problem title and detail. */
export class OperatorRequestFailed extends Error {
  override name = "OperatorRequestFailed";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The controller's HTTP API as an operator (an API key, sfk_…) uses it to start agents: tenants, root grants
 * and approvals. The agent runtime holds one to mint its founders' grants; it never reaches a model or a tool.
 */
export class OperatorClient {
  readonly #url: string;
  readonly #key: string;
  readonly #fetch: typeof fetch;

  constructor(options: { url: string; apiKey: string; fetch?: typeof fetch }) {
    this.#url = options.url.replace(/\/+$/, "");
    this.#key = options.apiKey;
    this.#fetch = options.fetch ?? fetch;
  }

  async #send(method: string, path: string, body?: unknown): Promise<{ status: number; data: unknown }> {
    const response = await this.#fetch(`${this.#url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.#key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).catch((error: Error) => {
      throw new ControllerUnavailable(
        `cannot reach the controller at ${this.#url} (${error.cause ?? error.message})`,
      );
    });
    const text = await response.text();
    const data = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok && response.status !== 409) {
      const problem = (data ?? {}) as { title?: string; detail?: string };
      throw new OperatorRequestFailed(
        response.status,
        [problem.title, problem.detail].filter(Boolean).join(": ") || `HTTP ${response.status}`,
      );
    }
    return { status: response.status, data };
  }

  /** Registers the tenant unless it exists; true when it was created now. */
  async ensureTenant(id: string, displayName: string): Promise<boolean> {
    return (await this.#send("POST", "/tenants", { id, displayName })).status === 201;
  }

  /**
   * A root agent's grant: `persona` in `tenant` on `server`, within its role template; a new agent, or a fresh
   * grant for `agentId`, a root agent this operator started.
   */
  async mintGrant(request: {
    tenant: string;
    persona: string;
    audience: ServerName;
    ttlMinutes?: number;
    agentId?: string;
  }) {
    return IssuedView.parse((await this.#send("POST", "/grants", request)).data);
  }

  /** An approval's status: pending, approved, denied or expired. */
  async approvalStatus(id: string) {
    return ApprovalStatusView.parse((await this.#send("GET", `/approvals/${encodeURIComponent(id)}`)).data);
  }
}
