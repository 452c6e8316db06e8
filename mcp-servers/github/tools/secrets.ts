import { z } from "zod";
import { HINTS } from "../../shared/tool.ts";
import { items, operationTool, repositoryOrOrganization } from "./context.ts";

/** Actions secrets (write-only: values never come back) and variables, on a repository or organisation. */
export const secretTools = [
  operationTool("secrets_set_secret", {
    title: "Set an Actions secret",
    use: "Use it to give workflows a credential (an npm token, a deploy key). The value is sealed with GitHub's public key before it leaves and is never shown again; an existing secret of that name is overwritten. Omit repo for an organisation secret.",
    toolset: "secrets",
    hints: HINTS.update,
    output: z.strictObject({
      name: z.string(),
      created: z.boolean().describe("false when an existing secret was overwritten"),
    }),
    resource: repositoryOrOrganization,
    sensitive: ["value"],
    result: (r) => r,
  }),
  operationTool("secrets_list_secrets", {
    title: "List Actions secrets",
    use: "Use it to see which secrets exist and when they last changed; values are never readable.",
    toolset: "secrets",
    hints: HINTS.read,
    output: z.strictObject({
      items: z.array(z.strictObject({ name: z.string(), updatedAt: z.string().describe("ISO 8601") })),
    }),
    resource: repositoryOrOrganization,
    result: items,
  }),
  operationTool("secrets_delete_secret", {
    title: "Delete an Actions secret",
    use: "Use it to revoke a secret workflows should no longer have (then rotate it where it came from).",
    toolset: "secrets",
    hints: HINTS.remove,
    output: z.strictObject({
      name: z.string(),
      deleted: z.boolean().describe("false when there was no such secret"),
    }),
    resource: repositoryOrOrganization,
    result: (r) => r,
  }),
  operationTool("variables_set_variable", {
    title: "Set an Actions variable",
    use: "Use it for configuration workflows read that is not secret (a Node version, a region); never put a credential in a variable. Overwrites the value if the variable exists.",
    toolset: "secrets",
    hints: HINTS.update,
    output: z.strictObject({
      name: z.string(),
      changed: z.boolean().describe("false when it already held this value"),
    }),
    resource: repositoryOrOrganization,
    result: (r) => r,
  }),
  operationTool("variables_get_variable", {
    title: "Get an Actions variable",
    use: "Use it to read a variable's value (variable is null when there is none).",
    toolset: "secrets",
    hints: HINTS.read,
    output: z.strictObject({
      variable: z.strictObject({ name: z.string(), value: z.string().describe("untrusted") }).nullable(),
    }),
    resource: repositoryOrOrganization,
    untrusted: ["variable.value"],
    result: (variable) => ({ variable }),
  }),
];
