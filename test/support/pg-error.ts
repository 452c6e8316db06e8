/** The PostgreSQL error under drizzle's wrapper (drizzle keeps the driver error in `cause`). */
export function pgError(error: unknown): { code?: string; message: string } {
  let e = error as { code?: unknown; message?: string; cause?: unknown } | undefined;
  while (e && typeof e.code !== "string" && e.cause) e = e.cause as typeof e;
  return { code: typeof e?.code === "string" ? e.code : undefined, message: e?.message ?? String(error) };
}

/** Runs `work`, expecting it to fail; returns the PostgreSQL error it failed with. */
export async function failure(work: () => Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await work();
  } catch (error) {
    return pgError(error);
  }
  throw new Error("expected the operation to fail, but it succeeded");
}
