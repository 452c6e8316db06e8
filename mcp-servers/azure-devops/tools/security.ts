import { z } from "zod";
import { defineTool, HINTS } from "../../shared/tool.ts";
import { AZURE_DEVOPS_OPERATIONS as OPS } from "../factory.ts";
import { about, projectResource } from "./common.ts";
import type { AzureDevOpsContext } from "./context.ts";

const Permissions = {
  token: z.string().describe("the security token the permissions are set on"),
  allow: z.array(z.string()),
  deny: z.array(z.string()),
};

/** The security toolset's groups, members and permissions (the PAT lifecycle is in tokens.ts). */
export const securityTools = [
  defineTool({
    name: "security_list_groups",
    title: "List a project's security groups",
    description: about("security_list_groups", "Use it to see who can be given access to what."),
    toolset: "security",
    hints: HINTS.read,
    input: OPS.security_list_groups.input,
    output: z.object({
      items: z.array(z.object({ name: z.string(), descriptor: z.string(), description: z.string() })),
    }),
    resource: projectResource,
    untrusted: ["items[].description"],
    run: async (ctx: AzureDevOpsContext, i) => ({ items: await ctx.factory.call("security_list_groups", i) }),
  }),
  defineTool({
    name: "security_create_group",
    title: "Create a security group",
    description: about(
      "security_create_group",
      "Use it for a group the built-in ones do not cover (e.g. Reporting for finance).",
    ),
    toolset: "security",
    hints: HINTS.ensure,
    input: OPS.security_create_group.input,
    output: z.object({
      name: z.string(),
      descriptor: z.string(),
      created: z.boolean().describe("false when it already existed"),
    }),
    resource: projectResource,
    run: (ctx: AzureDevOpsContext, i) => ctx.factory.call("security_create_group", i),
  }),
  defineTool({
    name: "security_add_member",
    title: "Add a member to a group",
    description: about(
      "security_add_member",
      "Use it to give a person (or a group) a group's access, e.g. a developer into Contributors.",
    ),
    toolset: "security",
    hints: HINTS.ensure,
    input: OPS.security_add_member.input,
    output: z.object({ added: z.boolean().describe("false when it was already a member") }),
    resource: projectResource,
    run: (ctx: AzureDevOpsContext, i) => ctx.factory.call("security_add_member", i),
  }),
  defineTool({
    name: "security_remove_member",
    title: "Remove a member from a group",
    description: about("security_remove_member", "Use it to take a group's access away from someone."),
    toolset: "security",
    hints: HINTS.remove,
    input: OPS.security_remove_member.input,
    output: z.object({ removed: z.boolean().describe("false when it was not a member") }),
    resource: projectResource,
    run: (ctx: AzureDevOpsContext, i) => ctx.factory.call("security_remove_member", i),
  }),
  defineTool({
    name: "security_list_members",
    title: "List a group's members",
    description: about("security_list_members", "Use it to review who holds a group's access."),
    toolset: "security",
    hints: HINTS.read,
    input: OPS.security_list_members.input,
    output: z.object({ items: z.array(z.object({ name: z.string(), kind: z.enum(["user", "group"]) })) }),
    resource: projectResource,
    run: async (ctx: AzureDevOpsContext, i) => ({
      items: await ctx.factory.call("security_list_members", i),
    }),
  }),
  defineTool({
    name: "security_set_permissions",
    title: "Set a group's permissions",
    description: about(
      "security_set_permissions",
      "Use it to grant or deny a group a permission, e.g. deny Contributors ForcePush; a deny wins over an inherited allow.",
    ),
    toolset: "security",
    hints: HINTS.update,
    input: OPS.security_set_permissions.input,
    output: z.object({ ...Permissions, changed: z.boolean() }),
    resource: projectResource,
    run: (ctx: AzureDevOpsContext, i) => ctx.factory.call("security_set_permissions", i),
  }),
  defineTool({
    name: "security_get_permissions",
    title: "Get a group's permissions",
    description: about(
      "security_get_permissions",
      "Use it to review what a group is explicitly allowed or denied.",
    ),
    toolset: "security",
    hints: HINTS.read,
    input: OPS.security_get_permissions.input,
    output: z.object(Permissions),
    resource: projectResource,
    run: (ctx: AzureDevOpsContext, i) => ctx.factory.call("security_get_permissions", i),
  }),
];
