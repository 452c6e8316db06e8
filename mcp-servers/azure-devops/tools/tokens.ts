import { z } from "zod";
import { defineTool, HINTS } from "../../shared/tool.ts";
import { AZURE_DEVOPS_OPERATIONS as OPS } from "../factory.ts";
import { about } from "./common.ts";
import type { AzureDevOpsContext } from "./context.ts";

const Pat = z.object({
  authorizationId: z.string().describe("what tokens_revoke_pat takes"),
  displayName: z.string(),
  scopes: z.array(z.string()),
  validFrom: z.string(),
  validTo: z.string(),
});

/**
 * The security toolset's PAT lifecycle. Platform-only: Azure DevOps answers it only for a user's Entra token,
 * and the controller's broker already mints each grant its own narrowed PAT.
 */
export const tokenTools = [
  defineTool({
    name: "tokens_create_pat",
    title: "Create a personal access token",
    description: about(
      "tokens_create_pat",
      "Platform-only: use it for a narrowly scoped, short-lived token a system outside the factory needs; agents get their credentials from the controller.",
    ),
    toolset: "security",
    hints: HINTS.add,
    input: OPS.tokens_create_pat.input,
    output: Pat.extend({ token: z.string().describe("the secret itself, shown only this once") }),
    resource: () => ({ kind: "pat", name: "pats" }),
    run: (ctx: AzureDevOpsContext, i) => ctx.factory.call("tokens_create_pat", i),
  }),
  defineTool({
    name: "tokens_list_pats",
    title: "List personal access tokens",
    description: about(
      "tokens_list_pats",
      "Platform-only: use it to audit which tokens exist and when they expire.",
    ),
    toolset: "security",
    hints: HINTS.read,
    input: OPS.tokens_list_pats.input,
    output: z.object({ items: z.array(Pat) }),
    resource: () => ({ kind: "pat", name: "pats" }),
    run: async (ctx: AzureDevOpsContext, i) => ({ items: await ctx.factory.call("tokens_list_pats", i) }),
  }),
  defineTool({
    name: "tokens_revoke_pat",
    title: "Revoke a personal access token",
    description: about(
      "tokens_revoke_pat",
      "Platform-only: use it when a token leaked or is no longer needed.",
    ),
    toolset: "security",
    hints: HINTS.remove,
    input: OPS.tokens_revoke_pat.input,
    output: z.object({ authorizationId: z.string(), revoked: z.boolean() }),
    resource: (i) => ({ kind: "pat", name: `pats/${i.authorizationId.toLowerCase()}` }),
    run: (ctx: AzureDevOpsContext, i) => ctx.factory.call("tokens_revoke_pat", i),
  }),
];
