import { z } from "zod";
import { CliError, EXIT } from "./output.ts";

/** What commands that talk to a running controller read from the environment, once. */
const ClientEnv = z.object({
  FACTORY_URL: z.url({ error: "must be the controller's URL, e.g. http://127.0.0.1:7300" }).optional(),
  FACTORY_API_KEY: z
    .string()
    .regex(/^sfk_[A-Za-z0-9_-]{20,}$/, "must be an operator API key (sfk_…)")
    .optional(),
});

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

  constructor(options: { url?: string }, env: Record<string, string | undefined> = process.env) {
    const parsed = ClientEnv.safeParse(env);
    if (!parsed.success) throw new CliError(`invalid environment:\n${z.prettifyError(parsed.error)}`);
    this.url = (options.url ?? parsed.data.FACTORY_URL ?? "http://127.0.0.1:7300").replace(/\/+$/, "");
    this.#key = parsed.data.FACTORY_API_KEY;
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
