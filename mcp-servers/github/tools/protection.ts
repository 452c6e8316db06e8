import { z } from "zod";
import { HINTS } from "../../shared/tool.ts";
import { items, operationTool, repository } from "./context.ts";

const BranchProtection = z.strictObject({
  requiredReviews: z.number().int().nullable().describe("approvals a pull request needs; null: none"),
  requireCodeOwnerReviews: z.boolean(),
  dismissStaleReviews: z.boolean(),
  requiredStatusChecks: z.array(z.string()).nullable().describe("checks that must pass; null: none"),
  strictStatusChecks: z.boolean(),
  enforceAdmins: z.boolean(),
  allowForcePushes: z.boolean(),
  allowDeletions: z.boolean(),
  requiredLinearHistory: z.boolean(),
  requiredConversationResolution: z.boolean(),
});

/** Branch protection and rulesets: how changes may reach a branch. */
export const protectionTools = [
  operationTool("protection_update_branch_protection", {
    title: "Protect a branch",
    use: "Use it to require reviews and checks on the default branch. It replaces the branch's whole protection with what you give (unnamed settings take their defaults).",
    toolset: "protection",
    hints: HINTS.update,
    output: BranchProtection,
    resource: repository,
    result: (p) => p,
  }),
  operationTool("protection_get_branch_protection", {
    title: "Get a branch's protection",
    use: "Use it to check what a branch requires before changing its protection or trying to merge into it.",
    toolset: "protection",
    hints: HINTS.read,
    output: z.strictObject({ protection: BranchProtection.nullable().describe("null: unprotected") }),
    resource: repository,
    result: (protection) => ({ protection }),
  }),
  operationTool("protection_delete_branch_protection", {
    title: "Remove a branch's protection",
    use: "Use it only when a branch must stop being protected: afterwards anyone with write access can push to it directly.",
    toolset: "protection",
    hints: HINTS.remove,
    output: z.strictObject({ branch: z.string(), protected: z.boolean() }),
    resource: repository,
    result: (r) => r,
  }),
  operationTool("protection_set_ruleset", {
    title: "Set a ruleset",
    use: "Use it for rules over several branches by pattern; a ruleset with the same name is replaced.",
    toolset: "protection",
    hints: HINTS.update,
    output: z.strictObject({
      id: z.number().int(),
      name: z.string(),
      created: z.boolean().describe("false when an existing ruleset was replaced"),
      rules: z.array(z.string()).describe("the rule types it now holds"),
    }),
    resource: repository,
    result: (r) => r,
  }),
  operationTool("protection_list_rulesets", {
    title: "List rulesets",
    use: "Use it to see which rulesets a repository has before setting or deleting one.",
    toolset: "protection",
    hints: HINTS.read,
    output: z.strictObject({
      items: z.array(
        z.strictObject({
          id: z.number().int(),
          name: z.string(),
          enforcement: z.enum(["disabled", "active", "evaluate"]),
        }),
      ),
    }),
    resource: repository,
    result: items,
  }),
  operationTool("protection_delete_ruleset", {
    title: "Delete a ruleset",
    use: "Use it to drop a ruleset by name; its rules stop applying at once.",
    toolset: "protection",
    hints: HINTS.remove,
    output: z.strictObject({
      name: z.string(),
      deleted: z.boolean().describe("false when there was no such ruleset"),
    }),
    resource: repository,
    result: (r) => r,
  }),
];
