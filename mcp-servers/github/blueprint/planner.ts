import type { Planner } from "../../shared/planner.ts";
import type { GitHubFactory, GitHubOperationName } from "../factory.ts";

/** The shared planner, reading and writing through the GitHub factory. */
export type GitHubPlanner = Planner<GitHubFactory, GitHubOperationName>;
