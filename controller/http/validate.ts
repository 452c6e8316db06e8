import type { Context } from "hono";
import type { z } from "zod";
import { Problem, problemType } from "./problem.ts";

/** Parses a JSON body with `schema`; a bad body is a 400 problem naming each bad field. */
export async function jsonBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new Problem(400, problemType("malformed-json"), "the body is not JSON");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({
      field: i.path.join(".") || "(body)",
      message: i.message,
    }));
    const detail = errors.map((e) => `${e.field}: ${e.message}`).join("; ");
    throw new Problem(400, problemType("validation"), "the request is invalid", detail, { errors });
  }
  return parsed.data;
}
