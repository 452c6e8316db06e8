import { type ClientConfig, loadClientConfig } from "../controller/config.ts";
import { CliError, EXIT } from "./output.ts";

export const CLIENT_HELP =
  "\nEnvironment: FACTORY_URL (the controller, default http://127.0.0.1:7300) and FACTORY_API_KEY (an operator key, sfk_…).";

/** A problem+json answer from the controller. */
interface ProblemBody {
  title?: string;
  detail?: string;
  code?: string;
}

/**
 * Talks to a running controller's HTTP API as an operator. Keys come only from the environment, never from
 * arguments, so they stay out of shell history and process listings.
 */
export class ControllerClient {
  readonly url: string;
  readonly #key: string | undefined;

  constructor(options: { url?: string }, config: ClientConfig = loadClientConfig()) {
    this.url = (options.url ?? config.url).replace(/\/+$/, "");
    this.#key = config.apiKey;
  }

  /** Sends a request; a refusal becomes a CliError with the controller's explanation and a fitting exit code. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.#key) throw new CliError("set FACTORY_API_KEY to an operator API key (sfk_…)");
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#key}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new CliError(
        `cannot reach the controller at ${this.url} (${(error as Error).cause ?? (error as Error).message}); is \`factory start\` running?`,
        EXIT.unavailable,
      );
    }
    const text = await response.text();
    const data = text ? (JSON.parse(text) as unknown) : undefined;
    if (response.ok) return data as T;
    const problem = (data ?? {}) as ProblemBody;
    const message = [problem.title, problem.detail].filter(Boolean).join(": ") || `HTTP ${response.status}`;
    throw new CliError(
      message,
      response.status === 400 || response.status === 404 ? EXIT.usage : EXIT.failed,
    );
  }
}
