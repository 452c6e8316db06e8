import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An RFC 9457 problem a route throws; the one error handler renders it. */
export class Problem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: string,
    readonly title: string,
    readonly detail?: string,
  ) {
    super(detail ?? title);
  }
}

/** The single place errors become responses: problem+json, never a stack trace. */
export function renderProblem(error: Error, c: Context): Response {
  const problem =
    error instanceof Problem
      ? error
      : error instanceof HTTPException
        ? new Problem(error.status as ContentfulStatusCode, "about:blank", error.message || "request failed")
        : new Problem(
            500,
            "https://startup-factory.dev/problems/internal",
            "internal error",
            "the controller failed; see its log",
          );
  if (problem.status >= 500 && !(error instanceof Problem)) console.error(error);
  return c.body(
    JSON.stringify({
      type: problem.type,
      title: problem.title,
      status: problem.status,
      ...(problem.detail ? { detail: problem.detail } : {}),
    }),
    problem.status,
    { "content-type": "application/problem+json" },
  );
}
