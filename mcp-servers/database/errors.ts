/**
 * A database operation failed: which operation, for which tenant, and the database's own message. Lower
 * errors are kept as `cause` except where their text could hold credential material (rotation).
 */
export class DatabaseFactoryError extends Error {
  override name = "DatabaseFactoryError";
  constructor(
    readonly operation: string,
    readonly tenant: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation} for tenant ${tenant}: ${message}`, options);
  }
}

/** The database's message of whatever was thrown (postgres.js and PGlite both carry it in `message`). */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Turns a lower error into a DatabaseFactoryError naming the operation and tenant. */
export function asFactoryError(operation: string, tenant: string, error: unknown): DatabaseFactoryError {
  if (error instanceof DatabaseFactoryError) return error;
  return new DatabaseFactoryError(operation, tenant, messageOf(error), { cause: error });
}
