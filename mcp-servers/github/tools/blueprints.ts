import { z } from "zod";
import { defineTool, HINTS } from "../../shared/tool.ts";
import { apply } from "../blueprint/apply.ts";
import { GitHubBlueprint } from "../blueprint/blueprint.ts";
import { plan } from "../blueprint/plan.ts";
import { teamSlug } from "../blueprint/plan-team.ts";
import { GITHUB_OPERATIONS, type GitHubOperationName } from "../factory.ts";
import type { GitHubContext, ToolResource } from "./context.ts";

/**
 * A blueprint as the tools take it. An apply runs its steps straight through the factory, past the naming
 * rules each single tool call meets, so the tools check the same rule here: every repository and team carries
 * the organisation's name as its prefix (`acme-api`, `acme-developers` in organisation `acme`).
 */
export const BlueprintInput = GitHubBlueprint.superRefine((b, ctx) => {
  const prefix = `${b.org.toLowerCase()}-`;
  const rule = `must start with ${prefix} (the organisation's prefix, as the naming rules ask)`;
  for (const [i, repo] of b.repos.entries())
    if (!repo.name.toLowerCase().startsWith(prefix))
      ctx.addIssue({ code: "custom", path: ["repos", i, "name"], message: rule });
  for (const [i, team] of b.teams.entries())
    if (!teamSlug(team.name).startsWith(prefix))
      ctx.addIssue({ code: "custom", path: ["teams", i, "name"], message: rule });
});

/**
 * Policy decides on the organisation the blueprint shapes, as kind `blueprint`: role templates match it with
 * `{tenant}`, so only the tenant whose organisation it is may plan or apply it.
 */
const blueprintResource = (input: { org: string }): ToolResource => ({ kind: "blueprint", name: input.org });

const OperationName = z.enum(
  Object.keys(GITHUB_OPERATIONS) as [GitHubOperationName, ...GitHubOperationName[]],
);
const PlanStep = z.strictObject({
  tool: OperationName.describe("the tool the step calls"),
  action: z.enum(["create", "update"]),
  resource: z.string().describe("what it changes, e.g. acme/acme-api@main"),
  input: z.record(z.string(), z.unknown()).describe("the tool's input; secret values are never in it"),
  secretRefs: z
    .array(z.strictObject({ path: z.array(z.string()), ref: z.string() }))
    .optional()
    .describe("where apply puts each secret, resolved from its reference at that moment"),
  changes: z.record(z.string(), z.unknown()).describe("field -> [current, desired]"),
  calls: z.number().int().describe("provider calls the step will make, estimated"),
  needsApproval: z.boolean(),
});
const Plan = z.strictObject({
  target: z.string().describe("the organisation"),
  steps: z.array(PlanStep).describe("the changes, in the order apply makes them"),
  unchanged: z.array(z.string()).describe("resources already as the blueprint says"),
  readCalls: z.number().int().describe("provider calls made to read the current state"),
  writeCalls: z.number().int().describe("provider calls the steps will make, estimated"),
});

const Applied = z.strictObject({
  plan: Plan,
  applied: z.array(PlanStep).describe("the steps made"),
  waiting: z.array(PlanStep).describe("steps held for approval (none once the apply itself was approved)"),
  calls: z.number().int().describe("provider calls the apply made, reads included"),
});

/** Current values read from GitHub that anyone with access could have written: descriptions and variable values. */
const changedText = (steps: string) => [`${steps}.changes.description[]`, `${steps}.changes.value[]`];

/** Plan and apply a GitHub blueprint: an organisation's desired state, made true in one approved step. */
export const blueprintTools = [
  defineTool<GitHubContext, typeof BlueprintInput, typeof Plan>({
    name: "plan_blueprint",
    title: "Plan a GitHub blueprint",
    description:
      "Dry run: reads the organisation and lists the changes that would make it match the blueprint (repositories with files, branch protection, secrets by secret:// reference, variables, environments, security settings; teams with members and repository roles; organisation secrets), changing nothing. Use it before apply_blueprint, and again afterwards to confirm nothing is left to do (no steps).",
    toolset: "blueprints",
    hints: HINTS.read,
    input: BlueprintInput,
    output: Plan,
    resource: blueprintResource,
    untrusted: changedText("steps[]"),
    run: (context, input) => plan(context.factory, input),
  }),
  defineTool<GitHubContext, typeof BlueprintInput, typeof Applied>({
    name: "apply_blueprint",
    title: "Apply a GitHub blueprint",
    description:
      "Makes the organisation match the blueprint: plans it as plan_blueprint does, then makes each change in order. It waits for a platform admin's approval first (the whole apply is one decision: show the plan). It creates and updates but never deletes; settings the blueprint names are overwritten. Idempotent and resumable: applying again finds nothing to do, and after a failure half-way an apply does only what is left. Secrets are resolved from their secret:// references at that moment and never returned.",
    toolset: "blueprints",
    hints: HINTS.update,
    input: BlueprintInput,
    output: Applied,
    resource: blueprintResource,
    untrusted: [...changedText("plan.steps[]"), ...changedText("applied[]"), ...changedText("waiting[]")],
    // Approvers see the plan: it is recorded with the intent.
    preview: (context, input) => plan(context.factory, input),
    run: (context, input) => apply(context.factory, input, { secrets: context.secrets }),
  }),
];
