import type { Context } from "hono";
import type { z } from "zod";
import { Problem, problemType } from "./problem.ts";

/** A 400 problem naming each bad field, with `where` (body, query, path) prefixed when it is not the body. */
function invalid(error: z.ZodError, where?: string): Problem {
  const errors = error.issues.map((i) => ({
    field: [where, ...i.path].filter((p) => p !== undefined).join(".") || "(body)",
    message: i.message,
  }));
  const detail = errors.map((e) => `${e.field}: ${e.message}`).join("; ");
  return new Problem(400, problemType("validation"), "the request is invalid", detail, { errors });
}

function parse<T>(schema: z.ZodType<T>, value: unknown, where?: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(parsed.error, where);
  return parsed.data;
}

/** Parses a JSON body with `schema` (an empty body reads as `{}`); a bad body is a 400 naming each field. */
export async function jsonBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const text = await c.req.text();
  let body: unknown = {};
  if (text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      throw new Problem(400, problemType("malformed-json"), "the body is not JSON");
    }
  }
  return parse(schema, body);
}

/** Parses the query string with `schema`; a bad parameter is a 400 naming it. */
export function queryParams<T>(c: Context, schema: z.ZodType<T>): T {
  return parse(schema, c.req.query(), "query");
}

/** Parses one path parameter with `schema`; a malformed one is a 400 naming it. */
export function pathParam<T>(c: Context, name: string, schema: z.ZodType<T>): T {
  return parse(schema, c.req.param(name), name);
}
