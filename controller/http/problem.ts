import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

const TYPES = "https://startup-factory.dev/problems/";

/** An RFC 9457 problem a route throws; the one error handler renders it. `extra` adds extension members. */
export class Problem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }
}

/** A stable problem type URI for a short name, e.g. `problemType("validation")`. */
export const problemType = (name: string) => `${TYPES}${name}`;

/** The single place errors become responses: problem+json, never a stack trace. */
export function renderProblem(error: Error, c: Context): Response {
  const problem =
    error instanceof Problem
      ? error
      : error instanceof HTTPException
        ? new Problem(error.status as ContentfulStatusCode, "about:blank", error.message || "request failed")
        : new Problem(500, problemType("internal"), "internal error", "the controller failed; see its log");
  if (problem.status >= 500 && !(error instanceof Problem))
    console.error(`request ${c.get("requestId") ?? "-"} failed:`, error);
  const requestId = c.get("requestId") as string | undefined;
  const body = {
    ...problem.extra,
    ...(requestId ? { requestId } : {}),
    type: problem.type,
    title: problem.title,
    status: problem.status,
    ...(problem.detail ? { detail: problem.detail } : {}),
  };
  return c.body(JSON.stringify(body), problem.status, { "content-type": "application/problem+json" });
}
