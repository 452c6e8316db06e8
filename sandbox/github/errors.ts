import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

const DOCS = "https://docs.github.com/rest";

/** One entry of a 422's `errors[]`, as GitHub reports a field problem. */
export interface FieldError {
  resource: string;
  field: string;
  code: "missing" | "missing_field" | "invalid" | "already_exists" | "unprocessable" | "custom";
  message?: string;
}

/** An error response in GitHub's shape; thrown by handlers, rendered by the server (and the transaction rolled back). */
export class GitHubError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly errors?: FieldError[],
    readonly documentationUrl = DOCS,
  ) {
    super(message);
  }
}

export const notFound = () => new GitHubError(404, "Not Found");
export const badCredentials = () => new GitHubError(401, "Bad credentials");
export const notAccessible = () => new GitHubError(403, "Resource not accessible by integration");
export const validationFailed = (errors: FieldError[], message = "Validation Failed") =>
  new GitHubError(422, message, errors);

/** GitHub's error body: `{message, documentation_url, status}`, with `errors[]` on 422s. */
export function githubError(c: Context, error: GitHubError): Response {
  return c.json(
    {
      message: error.message,
      documentation_url: error.documentationUrl,
      ...(error.errors ? { errors: error.errors } : {}),
      status: String(error.status),
    },
    error.status,
  );
}
