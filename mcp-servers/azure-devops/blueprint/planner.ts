import type { Planner } from "../../shared/planner.ts";
import type { AzureDevOpsFactory, AzureDevOpsOperationName } from "../factory.ts";

/** The shared planner, reading and writing through the Azure DevOps factory. */
export type AdoPlanner = Planner<AzureDevOpsFactory, AzureDevOpsOperationName>;
