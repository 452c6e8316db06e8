/** The SQLSTATE of a PostgreSQL error, found under drizzle's wrapper (it keeps the driver error in `cause`). */
export function sqlState(error: unknown): string | undefined {
  let e = error as { code?: unknown; cause?: unknown } | undefined;
  while (e && typeof e.code !== "string" && e.cause) e = e.cause as typeof e;
  return typeof e?.code === "string" ? e.code : undefined;
}

/** A unique constraint refused the row (SQLSTATE 23505). */
export const isUniqueViolation = (error: unknown) => sqlState(error) === "23505";
