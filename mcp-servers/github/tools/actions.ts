import { z } from "zod";
import { HINTS } from "../../shared/tool.ts";
import { operationTool, repository } from "./context.ts";

const Reviewer = z.union([
  z.strictObject({ user: z.string().describe("a reviewer's login") }),
  z.strictObject({ team: z.string().describe("a reviewing team's slug") }),
]);

/** Deployment environments: where workflows deploy, and who must approve it. */
export const actionsTools = [
  operationTool("environments_set_environment", {
    title: "Set a deployment environment",
    use: "Use it to create an environment such as production, or to change who must approve deployments to it; the settings you give replace its protection rules.",
    toolset: "actions",
    hints: HINTS.update,
    output: z.strictObject({
      name: z.string(),
      rules: z.array(z.string()).describe("the protection rule types it now has"),
    }),
    resource: repository,
    result: (e) => e,
  }),
  operationTool("environments_get_environment", {
    title: "Get a deployment environment",
    use: "Use it to check an environment's reviewers, wait timer and branch policy (environment is null when there is none).",
    toolset: "actions",
    hints: HINTS.read,
    output: z.strictObject({
      environment: z
        .strictObject({
          name: z.string(),
          waitTimerMinutes: z.number().int(),
          reviewers: z.array(Reviewer),
          preventSelfReview: z.boolean(),
          protectedBranchesOnly: z.boolean(),
        })
        .nullable(),
    }),
    resource: repository,
    result: (environment) => ({ environment }),
  }),
];
