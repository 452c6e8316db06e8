import type { Command } from "commander";
import type { ToolSelection } from "../../mcp-servers/shared/selection.ts";

const list = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export interface SelectionFlags {
  toolsets?: string[];
  tools?: string[];
  readOnly?: boolean;
}

export const selectionOf = (flags: SelectionFlags): ToolSelection => ({
  ...(flags.toolsets ? { toolsets: flags.toolsets } : {}),
  ...(flags.tools ? { tools: flags.tools } : {}),
  ...(flags.readOnly ? { readOnly: true } : {}),
});

/** Adds --toolsets, --tools and --read-only, as GitHub's own MCP server spells them. */
export function selectionOptions(command: Command): Command {
  return command
    .option("--toolsets <names>", "comma-separated toolsets to offer (default: all)", list)
    .option("--tools <names>", "comma-separated individual tools to offer as well", list)
    .option("--read-only", "offer read-only tools only");
}
