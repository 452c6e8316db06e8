import type { z } from "zod";
import { type AzureDevOpsClient, azureDevOpsClient, type ClientOptions } from "./client.ts";
import { invoke, type Operation } from "./operation.ts";
import { agentOperations } from "./operations/agents.ts";
import { boardOperations } from "./operations/boards.ts";
import { environmentOperations } from "./operations/environments.ts";
import { permissionOperations } from "./operations/permissions.ts";
import { pipelineOperations } from "./operations/pipelines.ts";
import { policyOperations } from "./operations/policies.ts";
import { projectOperations } from "./operations/projects.ts";
import { pullRequestOperations } from "./operations/pull-requests.ts";
import { repoOperations } from "./operations/repos.ts";
import { securityOperations } from "./operations/security.ts";
import { serviceConnectionOperations } from "./operations/service-connections.ts";
import { tokenOperations } from "./operations/tokens.ts";

/** Every Azure DevOps operation, by the tool name it backs. */
export const AZURE_DEVOPS_OPERATIONS = {
  ...projectOperations,
  ...repoOperations,
  ...pipelineOperations,
  ...agentOperations,
  ...boardOperations,
  ...serviceConnectionOperations,
  ...securityOperations,
  ...permissionOperations,
  ...environmentOperations,
  ...policyOperations,
  ...pullRequestOperations,
  ...tokenOperations,
};
export type AzureDevOpsOperationName = keyof typeof AZURE_DEVOPS_OPERATIONS;
type Op<N extends AzureDevOpsOperationName> = (typeof AZURE_DEVOPS_OPERATIONS)[N];
export type InputOf<N extends AzureDevOpsOperationName> = z.input<Op<N>["input"]>;
export type OutputOf<N extends AzureDevOpsOperationName> =
  Op<N> extends Operation<z.ZodType, infer O> ? O : never;

/**
 * The Azure DevOps governance factory: the only code that calls Azure DevOps. One instance per brokered
 * credential; inputs are validated (naming the bad field) and refusals become AzureDevOpsFactoryError.
 */
export class AzureDevOpsFactory {
  readonly client: AzureDevOpsClient;
  #requests = 0;

  constructor(options: ClientOptions) {
    this.client = azureDevOpsClient({
      ...options,
      onRequest: (method) => {
        this.#requests++;
        options.onRequest?.(method);
      },
    });
  }

  /** HTTP requests this factory has sent to Azure DevOps, location discovery included. */
  get requests(): number {
    return this.#requests;
  }

  call<N extends AzureDevOpsOperationName>(name: N, input: InputOf<N>): Promise<OutputOf<N>> {
    const op = AZURE_DEVOPS_OPERATIONS[name] as unknown as Operation<z.ZodType, OutputOf<N>>;
    return invoke(this.client, op, input);
  }
}
