import type { z } from "zod";
import type { SecretResolver } from "../../shared/planner.ts";
import { defineTool, type ToolDefinition, type ToolHints } from "../../shared/tool.ts";
import {
  GITHUB_OPERATIONS,
  type GitHubFactory,
  type GitHubOperationName,
  type OutputOf,
} from "../factory.ts";

/**
 * What one GitHub tool call runs with: the factory over the credential the broker narrowed to the caller's
 * grant, and how a blueprint's `secret://` references become values (through the controller, at apply time).
 */
export interface GitHubContext {
  factory: GitHubFactory;
  secrets: SecretResolver;
}

/** What policy decides on: role templates match `{tenant}-*` on these names (`{tenant}` for the organisation). */
export interface ToolResource {
  kind: "repository" | "organization" | "team" | "blueprint";
  name: string;
}

/** A repository, by its bare name: `acme-api`, not `acme/acme-api`. */
export const repository = (i: { repo: string }): ToolResource => ({ kind: "repository", name: i.repo });
/** An organisation, by its login: a tenant's organisation is named after the tenant. */
export const organization = (i: { owner: string }): ToolResource => ({ kind: "organization", name: i.owner });
/** A team, by its slug: tenants' teams carry their prefix (`acme-developers`), as naming.yaml asks. */
export const team = (slug: string): ToolResource => ({ kind: "team", name: slug });
/** A repository when one is named, else its organisation (secrets and variables live at both levels). */
export const repositoryOrOrganization = (i: { owner: string; repo?: string | undefined }): ToolResource =>
  i.repo ? repository({ repo: i.repo }) : organization(i);

type OpInput<N extends GitHubOperationName> = z.output<(typeof GITHUB_OPERATIONS)[N]["input"]>;

/** How one factory operation is offered as a tool; name, input schema and summary come from the operation. */
export interface OperationToolSpec<N extends GitHubOperationName, O extends z.ZodObject> {
  title: string;
  /** When to use it (and what to know), after the operation's own summary. */
  use: string;
  toolset: string;
  hints: ToolHints;
  output: O;
  resource(input: OpInput<N>): ToolResource;
  untrusted?: readonly string[];
  sensitive?: readonly string[];
  /** The operation's result as the output object: lists become `{ items }`, a missing thing `{ x: null }`. */
  result(value: OutputOf<N>): z.input<O>;
}

/**
 * A tool over one factory operation: same name, the operation's input schema, and `run` calling the factory
 * (which validates again and names the operation in its errors).
 */
export function operationTool<N extends GitHubOperationName, O extends z.ZodObject>(
  name: N,
  spec: OperationToolSpec<N, O>,
): ToolDefinition<GitHubContext> {
  const op = GITHUB_OPERATIONS[name];
  return defineTool<GitHubContext, z.ZodObject, O>({
    name,
    title: spec.title,
    description: `${op.summary}. ${spec.use}`,
    toolset: spec.toolset,
    hints: spec.hints,
    input: op.input as unknown as z.ZodObject,
    output: spec.output,
    resource: (input) => spec.resource(input as OpInput<N>),
    ...(spec.untrusted ? { untrusted: spec.untrusted } : {}),
    ...(spec.sensitive ? { sensitive: spec.sensitive } : {}),
    run: async (context, input) => spec.result(await context.factory.call(name, input as never)),
  });
}

/** Wraps a list as the object every tool output is. */
export const items = <T>(list: T[]) => ({ items: list });

/**
 * Adds something under a unique name (a repository, a branch, a team): never overwrites, and a second call
 * is refused because the name is taken, so it adds nothing more.
 */
export const CREATE_ONCE: ToolHints = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
};
