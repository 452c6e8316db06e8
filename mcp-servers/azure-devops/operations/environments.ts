import { z } from "zod";
import { type Resource, request } from "../area-client.ts";
import type { AzureDevOpsClient } from "../client.ts";
import { AzureDevOpsFactoryError } from "../errors.ts";
import { operation } from "../operation.ts";
import { ProjectName, requireProject } from "./projects.ts";

const EnvironmentName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\\/:*?"<>|]+$/, 'must not contain \\ / : * ? " < > |')
  .describe("the environment's name, e.g. production");
const EnvironmentInput = z.object({ project: ProjectName, environment: EnvironmentName });
type EnvironmentRef = z.output<typeof EnvironmentInput>;

/** Pipeline checks (PipelinesChecks) have no client in azure-devops-node-api v17; its REST area, as generated clients name it. */
const CHECK_CONFIGURATIONS: Resource = {
  areaId: "4a933897-0488-45af-bd82-6fd3ad33f46a",
  area: "PipelinesChecks",
  locationId: "86c8381e-5aee-4cde-8ae4-25c0c7f5eaea",
  version: "7.2-preview.1",
};
const APPROVAL = { id: "8c6f20a7-a545-4486-9777-f762fafe0d4d", name: "Approval" };

/** A check configuration as the service returns it (PipelinesChecks `CheckConfiguration`). */
interface CheckConfiguration {
  id: number;
  type?: { id?: string; name?: string };
  resource?: { type?: string; id?: string; name?: string };
  timeout?: number;
  settings?: {
    approvers?: { id?: string }[];
    minRequiredApprovers?: number;
    instructions?: string;
    executionOrder?: string | number;
    requesterCannotBeApprover?: boolean;
  };
}

export interface EnvironmentInfo {
  id: number;
  name: string;
  description: string;
}

export interface CheckInfo {
  id: number;
  type: string;
  timeoutMinutes: number | null;
  approvers: string[];
  minRequiredApprovers: number | null;
  instructions: string | null;
}

const where = (i: EnvironmentRef) => `${i.project}/environments/${i.environment}`;
const approvalAt = (i: EnvironmentRef) => `${where(i)}/checks/approval`;
const checksAt = (i: EnvironmentRef) => `${where(i)}/checks`;

/** Which operation, on which resource, a shared lookup reports its 404 for. */
interface Caller {
  operation: string;
  resource: string;
}

/**
 * The project's environment by name, or null. A missing project is the operation's 404: the service answers
 * 404 for it, which the client library turns into null, like a missing environment.
 */
async function findEnvironment(
  client: AzureDevOpsClient,
  i: EnvironmentRef,
  at: Caller,
): Promise<EnvironmentInfo | null> {
  const all = await (await client.getTaskAgentApi()).getEnvironments(i.project, i.environment);
  if (!all) await requireProject(client, i.project, at.operation, at.resource);
  const found = (all ?? []).find((e) => e.name?.toLowerCase() === i.environment.toLowerCase());
  return found?.id
    ? { id: found.id, name: found.name ?? i.environment, description: found.description ?? "" }
    : null;
}

async function requireEnvironment(
  client: AzureDevOpsClient,
  i: EnvironmentRef,
  at: Caller,
): Promise<EnvironmentInfo> {
  const found = await findEnvironment(client, i, at);
  if (!found)
    throw new AzureDevOpsFactoryError(
      at.operation,
      at.resource,
      404,
      `environment ${i.environment} does not exist in project ${i.project}`,
      "EnvironmentNotFoundException",
    );
  return found;
}

/** The environment's checks with their settings (the service leaves settings out unless asked). */
async function checksOn(client: AzureDevOpsClient, project: string, environmentId: number) {
  return (
    (await request<CheckConfiguration[]>(client, CHECK_CONFIGURATIONS, "GET", {
      route: { project },
      query: { resourceType: "environment", resourceId: String(environmentId), $expand: "settings" },
      list: true,
    })) ?? []
  );
}

const orderOf = (v: unknown) =>
  v === 2 || String(v).toLowerCase() === "insequence" ? "inSequence" : "anyOrder";

const ApprovalInput = EnvironmentInput.extend({
  approvers: z
    .array(z.uuid())
    .min(1)
    .max(50)
    .describe("the identity ids (GUIDs) of the users or groups who may approve"),
  minRequiredApprovers: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe("how many of them must approve; 0 means every one"),
  instructions: z.string().max(2000).default("").describe("what approvers should verify"),
  timeoutMinutes: z
    .number()
    .int()
    .min(1)
    .max(43_200)
    .default(43_200)
    .describe("how long a run waits for approval before failing (at most 30 days)"),
  executionOrder: z
    .enum(["anyOrder", "inSequence"])
    .default("anyOrder")
    .describe("whether approvers act in any order or in the order given"),
  requesterCannotBeApprover: z
    .boolean()
    .default(false)
    .describe("refuse approval from whoever started the run"),
}).superRefine((i, ctx) => {
  if (i.minRequiredApprovers > i.approvers.length)
    ctx.addIssue({
      code: "custom",
      path: ["minRequiredApprovers"],
      message: `must not exceed the ${i.approvers.length} approver(s) given`,
    });
});
type ApprovalInput = z.output<typeof ApprovalInput>;

/** Does the approval check already say what was asked (same approvers in the same order, and the rest)? */
function sameApproval(check: CheckConfiguration, i: ApprovalInput): boolean {
  const now = check.settings ?? {};
  return (
    JSON.stringify((now.approvers ?? []).map((a) => a.id?.toLowerCase())) ===
      JSON.stringify(i.approvers.map((a) => a.toLowerCase())) &&
    (now.minRequiredApprovers ?? 0) === i.minRequiredApprovers &&
    (now.instructions ?? "") === i.instructions &&
    orderOf(now.executionOrder) === i.executionOrder &&
    (now.requesterCannotBeApprover ?? false) === i.requesterCannotBeApprover &&
    check.timeout === i.timeoutMinutes
  );
}

const toCheck = (k: CheckConfiguration): CheckInfo => ({
  id: k.id,
  type: k.type?.name ?? k.type?.id ?? "",
  timeoutMinutes: k.timeout ?? null,
  approvers: (k.settings?.approvers ?? []).map((a) => a.id ?? ""),
  minRequiredApprovers: k.settings?.minRequiredApprovers ?? null,
  instructions: k.settings?.instructions ?? null,
});

export const environmentOperations = {
  pipelines_create_environment: operation({
    name: "pipelines_create_environment",
    summary:
      "Create a project's pipeline environment (a deployment target); one that exists is returned as is",
    write: true,
    input: EnvironmentInput.extend({
      description: z.string().max(1000).default("").describe("what deploys there"),
    }),
    resource: where,
    run: async (client, i) => {
      const existing = await findEnvironment(client, i, {
        operation: "pipelines_create_environment",
        resource: where(i),
      });
      if (existing) return { ...existing, created: false };
      const created = await (await client.getTaskAgentApi()).addEnvironment(
        { name: i.environment, description: i.description },
        i.project,
      );
      return {
        id: created.id ?? 0,
        name: created.name ?? i.environment,
        description: created.description ?? i.description,
        created: true,
      };
    },
  }),

  pipelines_get_environment: operation({
    name: "pipelines_get_environment",
    summary: "Get a project's pipeline environment by name, or null when there is none",
    write: false,
    input: EnvironmentInput,
    resource: where,
    run: (client, i) =>
      findEnvironment(client, i, { operation: "pipelines_get_environment", resource: where(i) }),
  }),

  pipelines_set_environment_approval: operation({
    name: "pipelines_set_environment_approval",
    summary:
      "Require approval before any pipeline deploys to an environment; an existing approval check is updated, never duplicated",
    write: true,
    input: ApprovalInput,
    resource: approvalAt,
    run: async (client, i) => {
      const environment = await requireEnvironment(client, i, {
        operation: "pipelines_set_environment_approval",
        resource: approvalAt(i),
      });
      const settings = {
        approvers: i.approvers.map((id) => ({ id })),
        executionOrder: i.executionOrder,
        minRequiredApprovers: i.minRequiredApprovers,
        instructions: i.instructions,
        requesterCannotBeApprover: i.requesterCannotBeApprover,
        blockedApprovers: [],
      };
      const configuration = {
        type: APPROVAL,
        settings,
        resource: { type: "environment", id: String(environment.id), name: environment.name },
        timeout: i.timeoutMinutes,
      };
      const existing = (await checksOn(client, i.project, environment.id)).find(
        (k) => k.type?.id?.toLowerCase() === APPROVAL.id,
      );
      if (!existing) {
        const created = await request<CheckConfiguration>(client, CHECK_CONFIGURATIONS, "POST", {
          route: { project: i.project },
          body: configuration,
        });
        return { id: created?.id ?? 0, environmentId: environment.id, created: true, updated: false };
      }
      const same = sameApproval(existing, i);
      if (!same)
        await request<CheckConfiguration>(client, CHECK_CONFIGURATIONS, "PATCH", {
          route: { project: i.project, id: existing.id },
          body: { ...configuration, id: existing.id },
        });
      return { id: existing.id, environmentId: environment.id, created: false, updated: !same };
    },
  }),

  pipelines_list_environment_checks: operation({
    name: "pipelines_list_environment_checks",
    summary: "List the checks (approvals and others) that gate deployments to an environment",
    write: false,
    input: EnvironmentInput,
    resource: checksAt,
    run: async (client, i): Promise<CheckInfo[]> => {
      const environment = await requireEnvironment(client, i, {
        operation: "pipelines_list_environment_checks",
        resource: checksAt(i),
      });
      return (await checksOn(client, i.project, environment.id)).map(toCheck);
    },
  }),
};
