import { RequestError } from "@octokit/request-error";

/**
 * GitHub refused or failed an operation: which operation on which resource, with GitHub's status, message,
 * documentation URL and field errors. Never carries request headers (the token).
 */
export class GitHubFactoryError extends Error {
  override name = "GitHubFactoryError";
  constructor(
    readonly operation: string,
    readonly resource: string,
    readonly status: number,
    readonly githubMessage: string,
    readonly documentationUrl: string | undefined,
    readonly errors: unknown[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(`${operation} ${resource} failed: ${status} ${githubMessage}`);
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}

/** Turns whatever the client threw into a GitHubFactoryError naming the operation and resource. */
export function asFactoryError(operation: string, resource: string, error: unknown): GitHubFactoryError {
  if (error instanceof GitHubFactoryError) return error;
  if (error instanceof RequestError) {
    const data = (error.response?.data ?? {}) as {
      message?: string;
      documentation_url?: string;
      errors?: unknown[];
    };
    const retryAfter = Number(error.response?.headers?.["retry-after"]);
    return new GitHubFactoryError(
      operation,
      resource,
      error.status,
      data.message ?? error.message,
      data.documentation_url,
      Array.isArray(data.errors) ? data.errors : [],
      Number.isFinite(retryAfter) ? retryAfter : undefined,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GitHubFactoryError(operation, resource, 0, `no response: ${message}`, undefined);
}
