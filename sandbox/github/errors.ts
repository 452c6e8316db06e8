import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

const DOCS = "https://docs.github.com/rest";

/** GitHub's error body: `{message, documentation_url}`, with `errors[]` on 422s. */
export function githubError(
  c: Context,
  status: ContentfulStatusCode,
  message: string,
  errors?: { resource: string; field: string; code: string }[],
): Response {
  return c.json(
    { message, documentation_url: DOCS, ...(errors ? { errors } : {}), status: String(status) },
    status,
  );
}
