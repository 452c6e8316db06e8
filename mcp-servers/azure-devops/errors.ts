/**
 * Azure DevOps refused or failed an operation: which operation on which resource, with the status, the
 * service's message and its `typeKey`. Never carries request headers (the token).
 */
export class AzureDevOpsFactoryError extends Error {
  override name = "AzureDevOpsFactoryError";
  constructor(
    readonly operation: string,
    readonly resource: string,
    readonly status: number,
    readonly serviceMessage: string,
    readonly typeKey: string | undefined,
  ) {
    super(`${operation} ${resource} failed: ${status} ${serviceMessage}${typeKey ? ` (${typeKey})` : ""}`);
  }
}

/** Turns what the client library threw (a plain Error with statusCode and the parsed body) into a factory error. */
export function asAzureDevOpsError(operation: string, resource: string, error: unknown): Error {
  if (error instanceof AzureDevOpsFactoryError) return error;
  const e = error as {
    statusCode?: number;
    result?: { message?: string; typeKey?: string };
    message?: string;
  };
  return new AzureDevOpsFactoryError(
    operation,
    resource,
    e.statusCode ?? 0,
    e.result?.message ?? e.message ?? String(error),
    e.result?.typeKey,
  );
}
