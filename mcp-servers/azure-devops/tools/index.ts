import type { ToolDefinition } from "../../shared/tool.ts";
import { blueprintTools } from "./blueprints.ts";
import { boardTools } from "./boards.ts";
import type { AzureDevOpsContext } from "./context.ts";
import { pipelineResourceTools } from "./pipeline-resources.ts";
import { pipelineTools } from "./pipelines.ts";
import { projectTools } from "./projects.ts";
import { pullRequestTools } from "./pull-requests.ts";
import { repoTools } from "./repos.ts";
import { securityTools } from "./security.ts";
import { serviceConnectionTools } from "./service-connections.ts";
import { tokenTools } from "./tokens.ts";

/** What each toolset covers, as `--toolsets` selects them. */
export const AZURE_DEVOPS_TOOLSETS = {
  projects: "The tenant's project (each tenant is one project, tenant-<tenant>): create it and read it.",
  repos:
    "Git repositories: create them, read and commit files, open, review and complete pull requests, and protect branches with policies.",
  pipelines:
    "YAML pipelines and their runs, agent pools and project queues, variable groups, and deployment environments with approval checks.",
  service_connections:
    "The credentials pipelines use to reach other services; every new one waits for approval.",
  security:
    "Project security groups, their members and permissions, and (platform-only) personal access tokens.",
  boards: "The backlog: epics, features, stories, tasks and bugs.",
  blueprints: "Plan and apply a tenant's whole project from one declarative blueprint.",
} as const;

/** Every Azure DevOps tool, one per factory operation, plus the blueprint tools. */
export const AZURE_DEVOPS_TOOLS: readonly ToolDefinition<AzureDevOpsContext>[] = [
  ...projectTools,
  ...repoTools,
  ...pullRequestTools,
  ...pipelineTools,
  ...pipelineResourceTools,
  ...serviceConnectionTools,
  ...securityTools,
  ...tokenTools,
  ...boardTools,
  ...blueprintTools,
];

/**
 * Tools no tenant role template grants, on purpose: they reach beyond one tenant (every project in the
 * organisation) or need a credential only the platform holds (the PAT lifecycle answers a user's Entra token).
 */
export const PLATFORM_ONLY_TOOLS = [
  "projects_list_projects",
  "tokens_create_pat",
  "tokens_list_pats",
  "tokens_revoke_pat",
] as const;
