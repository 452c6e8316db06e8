import type { ServerDefinition, ToolDefinition } from "./tool.ts";

/** Which of a server's tools to offer, as GitHub's MCP server takes them: `--toolsets`, `--tools`, `--read-only`. */
export interface ToolSelection {
  /** Toolset names; `all` (or none given) means every toolset. */
  toolsets?: readonly string[];
  /** Individual tool names, offered in addition to the chosen toolsets. */
  tools?: readonly string[];
  /** Offer read-only tools only. */
  readOnly?: boolean;
}

/** A toolset or tool name the server does not have: an error at start-up, not a silently empty server. */
export class SelectionError extends Error {
  override name = "SelectionError";
}

/** The tools a selection offers, in the server's order; throws SelectionError naming what is unknown. */
export function selectTools<C>(
  server: ServerDefinition<C>,
  selection: ToolSelection = {},
): ToolDefinition<C>[] {
  const toolsets = (selection.toolsets ?? []).filter((name) => name !== "all");
  const unknownSets = toolsets.filter((name) => !(name in server.toolsets));
  if (unknownSets.length)
    throw new SelectionError(
      `unknown toolset ${unknownSets.join(", ")} for the ${server.name} server; it has: ${Object.keys(server.toolsets).join(", ")}`,
    );
  const names = new Set(server.tools.map((tool) => tool.name));
  const unknownTools = (selection.tools ?? []).filter((name) => !names.has(name));
  if (unknownTools.length)
    throw new SelectionError(`unknown tool ${unknownTools.join(", ")} for the ${server.name} server`);
  const everything = toolsets.length === 0 && !selection.tools?.length;
  return server.tools.filter(
    (tool) =>
      (everything || toolsets.includes(tool.toolset) || selection.tools?.includes(tool.name)) &&
      (!selection.readOnly || tool.hints.readOnlyHint),
  );
}
