import { type ApplyOptions, type ApplyResult, applyPlan } from "../../shared/planner.ts";
import type { GitHubFactory, GitHubOperationName } from "../factory.ts";
import { plan } from "./plan.ts";

/** Makes the organisation match the blueprint (see `applyPlan`: idempotent and resumable). */
export const apply = (
  factory: GitHubFactory,
  blueprint: unknown,
  options: ApplyOptions<GitHubOperationName>,
): Promise<ApplyResult<GitHubOperationName>> =>
  applyPlan(factory, () => plan(factory, blueprint, options), options);
