import { type ApplyOptions, type ApplyResult, applyPlan } from "../../shared/planner.ts";
import type { AzureDevOpsFactory, AzureDevOpsOperationName } from "../factory.ts";
import { plan } from "./plan.ts";

/** Makes the tenant's project match the blueprint (see `applyPlan`: idempotent and resumable). */
export const apply = (
  factory: AzureDevOpsFactory,
  blueprint: unknown,
  options: ApplyOptions<AzureDevOpsOperationName>,
): Promise<ApplyResult<AzureDevOpsOperationName>> =>
  applyPlan(factory, () => plan(factory, blueprint, options), options);
