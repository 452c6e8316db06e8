import type { z } from "zod";
import type { AgentClient } from "../../controller/client/agent-client.ts";
import type { ServerName } from "../../controller/client/servers.ts";
import type { GrantView } from "../../controller/client/views.ts";

/**
 * MCP's four behaviour hints, every one required: a client (and a person approving a call) should never
 * have to guess what a tool does from a missing hint.
 */
export interface ToolHints {
  /** Changes nothing anywhere. */
  readOnlyHint: boolean;
  /** May delete or overwrite something that existed; false for add-only writes (a branch, an issue). */
  destructiveHint: boolean;
  /** Calling it again with the same arguments changes nothing more. */
  idempotentHint: boolean;
  /** Reaches a provider outside this process (GitHub, Azure DevOps, a database server). */
  openWorldHint: boolean;
}

/**
 * One MCP tool over a governance factory. The gate runs it: arguments validated against `input` (the
 * error names the field), the call decided by the controller for `resource`, a write recorded as an
 * intent before `run` and its outcome after, and provider text at the `untrusted` paths spotlighted.
 */
export interface ToolDefinition<C, I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  /** `<area>_<verb>_<noun>`, e.g. `repos_create_repository`. */
  name: string;
  /** A short human title, e.g. "Create a repository". */
  title: string;
  /** What it does and when to use it, written for the model. */
  description: string;
  /** The toolset it belongs to (`--toolsets` selects by it). */
  toolset: string;
  hints: ToolHints;
  /** Every field `.describe()`d for the model. */
  input: I;
  /** The shape of `structuredContent` (for a write: of `result`). Always an object: lists are `{ items }`. */
  output: O;
  /**
   * What policy decides on: matched against the grant's resource patterns (e.g. a repository's name). Tools
   * over the caller's own tenant (its team, its database) name it from the grant rather than ask for it.
   */
  resource(input: z.output<I>, grant: GrantView): { kind: string; name: string };
  /** Dotted paths of provider text in the output (`text`, `items[].body`): wrapped as untrusted. */
  untrusted?: readonly string[];
  /**
   * Input paths holding secrets, or text that may hold one (a file's content): the ledger keeps only their
   * keyed HMAC. Dotted, with `[]` for every element (`files[].content`).
   */
  sensitive?: readonly string[];
  run(context: C, input: z.output<I>): Promise<z.input<O>>;
  /**
   * A dry run of the write (a blueprint's plan), made before its intent is recorded and kept with it, so the
   * people who approve it see what it will change.
   */
  preview?(context: C, input: z.output<I>): Promise<unknown>;
  /** A failure the result reports as data (a migration that failed): the write's outcome is recorded as failed. */
  failure?(output: z.input<O>): string | undefined;
}

/** Keeps each definition's own input and output types while collecting them into one list. */
export const defineTool = <C, I extends z.ZodObject, O extends z.ZodObject>(
  tool: ToolDefinition<C, I, O>,
): ToolDefinition<C, z.ZodObject, z.ZodObject> =>
  tool as unknown as ToolDefinition<C, z.ZodObject, z.ZodObject>;

/** Hints for the common kinds of tool, spelled out so each definition still states all four. */
export const HINTS = {
  /** Reads from the provider. */
  read: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  /** Adds something new; a second call adds another (an issue, a comment, a pipeline run). */
  add: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  /** Creates or converges to a desired state; calling again changes nothing more. */
  ensure: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  /** Overwrites or updates what exists; the same call again changes nothing more. */
  update: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  /** Deletes or revokes; gone is gone, so a second call changes nothing more. */
  remove: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
} as const satisfies Record<string, ToolHints>;

/** One MCP server: its tools, grouped into toolsets, and how a call reaches the provider. */
export interface ServerDefinition<C> {
  /** The MCP server id, which is also the grants' audience: `github`, `azure-devops`, `database`, `ai`. */
  name: ServerName;
  title: string;
  /** Shown to clients on initialize: what the server is for and how its tools fit together. */
  instructions: string;
  /** Toolset name → what it covers. */
  toolsets: Record<string, string>;
  tools: readonly ToolDefinition<C>[];
  /** The context one call runs in: usually a factory over the provider credential brokered for the grant. */
  connect(caller: Caller): Promise<C>;
  /** Releases what the server keeps between calls (connections, caches) when it shuts down. */
  close?(): Promise<void>;
}

/** Who is calling, as the controller verified it, and how to reach the controller on their behalf. */
export interface Caller {
  /** The grant as presented: forwarded to the controller, never logged. */
  token: string;
  grant: GrantView;
  controller: AgentClient;
}
