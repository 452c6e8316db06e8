import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An error in Azure DevOps' shape; thrown by handlers, rendered by the server (and the transaction rolled back). */
export class AzureDevOpsError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly typeKey: string,
  ) {
    super(message);
  }
}

export const unauthorized = (user = "anonymous") =>
  new AzureDevOpsError(
    401,
    `TF400813: The user '${user}' is not authorized to access this resource.`,
    "UnauthorizedRequestException",
  );

export const projectNotFound = (name: string) =>
  new AzureDevOpsError(
    404,
    `TF200016: The following project does not exist: ${name}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.`,
    "ProjectDoesNotExistWithNameException",
  );

/** Azure DevOps' error body: `{$id, innerException, message, typeName, typeKey, errorCode, eventId}`. */
export function adoError(c: Context, error: AzureDevOpsError): Response {
  return c.json(
    {
      $id: "1",
      innerException: null,
      message: error.message,
      typeName: `Microsoft.TeamFoundation.Framework.Server.${error.typeKey}, Microsoft.TeamFoundation.Framework.Server`,
      typeKey: error.typeKey,
      errorCode: 0,
      eventId: 3000,
    },
    error.status,
  );
}
