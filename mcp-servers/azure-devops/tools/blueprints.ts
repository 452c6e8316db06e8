import { z } from "zod";
import { defineTool, HINTS } from "../../shared/tool.ts";
import { apply } from "../blueprint/apply.ts";
import { AzureDevOpsBlueprint } from "../blueprint/blueprint.ts";
import { plan } from "../blueprint/plan.ts";
import { projectResource } from "./common.ts";
import type { AzureDevOpsContext } from "./context.ts";

const Step = z.object({
  tool: z.string().describe("the operation the step runs"),
  action: z.enum(["create", "update"]),
  resource: z.string(),
  input: z.record(z.string(), z.unknown()).describe("the operation's input; secret values are never here"),
  secretRefs: z
    .array(z.object({ path: z.array(z.string()), ref: z.string() }))
    .optional()
    .describe("where apply puts each secret, resolved from its secret:// reference"),
  changes: z.record(z.string(), z.unknown()).describe("field → [current, desired]"),
  calls: z.number().int().describe("provider calls the step will make, estimated"),
  needsApproval: z.boolean(),
});

const Plan = z.object({
  target: z.string().describe("the project"),
  steps: z.array(Step).describe("the changes, in the order apply makes them"),
  unchanged: z.array(z.string()).describe("resources already as the blueprint says"),
  readCalls: z.number().int(),
  writeCalls: z.number().int(),
});

const blueprintResource = (i: { project: string }) => projectResource(i);

/** The blueprints toolset: a tenant's whole Azure DevOps project from one declarative blueprint. */
export const blueprintTools = [
  defineTool({
    name: "plan_blueprint",
    title: "Plan an Azure DevOps blueprint",
    description:
      "Dry-run a tenant's Azure DevOps blueprint (its project, repositories and scaffold, pipelines, branch policies, environments, groups and members, permissions, agent queues, variable groups, service connections and backlog): reads the project and lists the changes apply_blueprint would make, changing nothing. Use it before apply_blueprint and show the plan to the person deciding.",
    toolset: "blueprints",
    hints: HINTS.read,
    input: AzureDevOpsBlueprint,
    output: Plan,
    resource: blueprintResource,
    run: (ctx: AzureDevOpsContext, i) => plan(ctx.factory, i),
  }),
  defineTool({
    name: "apply_blueprint",
    title: "Apply an Azure DevOps blueprint",
    description:
      "Make a tenant's Azure DevOps project match its blueprint: plans against what exists, then makes only the missing or drifted changes, resolving secret:// references at the moment they are needed. It waits for a platform admin's approval. Idempotent and resumable: after a failure, apply again to do only what is left. Run plan_blueprint first.",
    toolset: "blueprints",
    hints: HINTS.update,
    input: AzureDevOpsBlueprint,
    output: z.object({
      plan: Plan,
      applied: z.array(Step).describe("the steps made"),
      waiting: z.array(Step).describe("steps left waiting for approval"),
      calls: z.number().int().describe("provider calls the apply made, reads included"),
    }),
    resource: blueprintResource,
    // The call as a whole was approved, so every step of its plan may run.
    run: (ctx: AzureDevOpsContext, i) => apply(ctx.factory, i, { secrets: ctx.secrets }),
    // Approvers see the plan: it is recorded with the intent.
    preview: (ctx: AzureDevOpsContext, i) => plan(ctx.factory, i),
  }),
];
