import type { Command } from "commander";
import { SERVER_NAMES } from "../../controller/client/servers.ts";
import { CLIENT_HELP, ControllerClient } from "../controller-client.ts";
import { CliError } from "../output.ts";
import { type SelectionFlags, selectionOptions } from "./mcp-selection.ts";

const CLIENTS = ["claude-desktop", "cursor", "vscode"] as const;
type Client = (typeof CLIENTS)[number];

interface ConfigFlags extends SelectionFlags {
  tenant: string;
  persona: string;
  servers?: string[];
  ttl?: string;
  transport: "stdio" | "http";
  url?: string;
}

const WHERE: Record<Client, string> = {
  "claude-desktop":
    "Merge it into claude_desktop_config.json (macOS: ~/Library/Application Support/Claude/, Windows: %APPDATA%\\Claude\\) and restart Claude Desktop.",
  cursor: "Merge it into ~/.cursor/mcp.json (or .cursor/mcp.json in a project).",
  vscode: "Merge it into .vscode/mcp.json in your workspace.",
};

/** The flags that reproduce a selection on the served command line. */
function selectionArgs(flags: SelectionFlags): string[] {
  return [
    ...(flags.toolsets?.length ? ["--toolsets", flags.toolsets.join(",")] : []),
    ...(flags.tools?.length ? ["--tools", flags.tools.join(",")] : []),
    ...(flags.readOnly ? ["--read-only"] : []),
  ];
}

export function registerMcpConfig(mcp: Command, options: { factoryBin: string }): void {
  selectionOptions(
    mcp
      .command("config")
      .description(
        "Print a ready MCP client configuration with a freshly minted grant per server, narrowed to one persona in one tenant.",
      )
      .argument("<client>", CLIENTS.join(", "))
      .requiredOption("--tenant <id>", "the tenant the grants work in")
      .requiredOption(
        "--persona <name>",
        "founder, dev, ops, sec or finance: the grants get its role template",
      )
      .option(
        "--servers <names>",
        `comma-separated servers (default: all of ${SERVER_NAMES.join(", ")})`,
        (v: string) => v.split(","),
      )
      .option("--ttl <minutes>", "grant lifetime in minutes (at most the role template's)")
      .option(
        "--transport <kind>",
        "stdio (a local `factory mcp` process) or http (the controller's /mcp/<server>)",
        "stdio",
      )
      .option("--url <url>", "the controller (default FACTORY_URL)"),
  )
    .addHelpText(
      "after",
      `\nThe block contains the grants: treat it as a secret; it stops working when they expire or are revoked.\nExit codes: 0 printed, 1 a grant was denied, 2 bad input, 4 controller unreachable.${CLIENT_HELP}`,
    )
    .action(async (client: string, flags: ConfigFlags) => {
      if (!(CLIENTS as readonly string[]).includes(client))
        throw new CliError(`unknown client ${client}; choose one of ${CLIENTS.join(", ")}`);
      if (flags.transport !== "stdio" && flags.transport !== "http")
        throw new CliError("--transport must be stdio or http");
      if (flags.transport === "http" && client === "claude-desktop")
        throw new CliError(
          "Claude Desktop's config file takes stdio servers; add remote servers as connectors, or use --transport stdio",
        );
      const servers = flags.servers ?? [...SERVER_NAMES];
      const unknown = servers.filter((s) => !(SERVER_NAMES as readonly string[]).includes(s));
      if (unknown.length)
        throw new CliError(`unknown server ${unknown.join(", ")}; choose from ${SERVER_NAMES.join(", ")}`);
      const ttl = flags.ttl === undefined ? undefined : Number(flags.ttl);
      if (ttl !== undefined && (!Number.isInteger(ttl) || ttl <= 0))
        throw new CliError("--ttl must be a whole number of minutes");

      const controller = new ControllerClient(flags);
      const entries: Record<string, unknown> = {};
      let expires = Number.POSITIVE_INFINITY;
      for (const server of servers) {
        const issued = await controller.request<{ token: string; agentId: string; claims: { exp: number } }>(
          "POST",
          "/grants",
          {
            tenant: flags.tenant,
            persona: flags.persona,
            audience: server,
            ...(ttl ? { ttlMinutes: ttl } : {}),
          },
        );
        expires = Math.min(expires, issued.claims.exp);
        const name = `startup-factory-${server}`;
        if (flags.transport === "http") {
          const query = selectionArgs(flags).length ? " (selection flags apply to stdio only)" : "";
          entries[name] = {
            type: "http",
            url: `${controller.url}/mcp/${server}`,
            headers: { Authorization: `Bearer ${issued.token}` },
          };
          if (query) process.stderr.write(`note: ${query.trim()}\n`);
        } else {
          const stdio = {
            command: process.execPath,
            args: [options.factoryBin, "mcp", server, ...selectionArgs(flags)],
            env: { FACTORY_URL: controller.url, FACTORY_GRANT: issued.token },
          };
          entries[name] = client === "vscode" ? { type: "stdio", ...stdio } : stdio;
        }
      }
      const block = client === "vscode" ? { servers: entries } : { mcpServers: entries };
      process.stdout.write(`${JSON.stringify(block, null, 2)}\n`);
      process.stderr.write(
        `${WHERE[client as Client]}\nThe grants (${flags.persona} in ${flags.tenant}) expire at ${new Date(expires * 1000).toISOString()}.\n`,
      );
    });
}
