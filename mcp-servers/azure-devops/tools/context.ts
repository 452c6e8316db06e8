import type { SecretResolver } from "../../shared/planner.ts";
import type { AzureDevOpsFactory } from "../factory.ts";

/** What one Azure DevOps tool call runs with: the factory over the credential brokered for the grant. */
export interface AzureDevOpsContext {
  factory: AzureDevOpsFactory;
  /**
   * Resolves a blueprint's `secret://` reference when apply needs its value (through the controller); a plain
   * function so blueprints can be applied in tests without a secret store.
   */
  secrets: SecretResolver;
}
