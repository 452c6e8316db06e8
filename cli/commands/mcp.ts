import { resolve } from "node:path";
import type { Command } from "commander";
import { AgentClient } from "../../controller/client/agent-client.ts";
import { SERVER_NAMES, type ServerName } from "../../controller/client/servers.ts";
import { loadClientConfig } from "../../controller/config.ts";
import { mcpServers } from "../../mcp-servers/catalog.ts";
import { selectTools } from "../../mcp-servers/shared/selection.ts";
import { serveStdio } from "../../mcp-servers/shared/stdio.ts";
import { CLIENT_HELP } from "../controller-client.ts";
import { CliError, emit } from "../output.ts";
import { registerMcpConfig } from "./mcp-config.ts";
import { type SelectionFlags, selectionOf, selectionOptions } from "./mcp-selection.ts";

function serverNamed(name: string) {
  if (!(SERVER_NAMES as readonly string[]).includes(name))
    throw new CliError(`unknown server ${name}; choose one of ${SERVER_NAMES.join(", ")}`);
  return mcpServers()[name as ServerName];
}

export function registerMcp(program: Command): void {
  const mcp = program
    .command("mcp")
    .description("Run the MCP servers for local clients (stdio), list their tools, and configure clients.")
    .addHelpText(
      "after",
      `\nOver HTTP the running controller serves them at /mcp/<server> (Streamable HTTP, grant as bearer).${CLIENT_HELP}`,
    );

  for (const name of SERVER_NAMES)
    selectionOptions(
      mcp
        .command(name)
        .description(
          `Serve the ${name} MCP server on stdio for a local client such as Claude Desktop; logs go to stderr.`,
        )
        .option("--url <url>", "the controller (default FACTORY_URL)"),
    )
      .addHelpText(
        "after",
        `\nEnvironment: FACTORY_GRANT, the agent's grant for the ${name} server (\`factory mcp config\` mints one), and FACTORY_URL.\nExit codes: 0 stopped, 2 bad selection or grant, 4 controller unreachable.`,
      )
      .action(async (opts: SelectionFlags & { url?: string }) => {
        const config = loadClientConfig();
        if (!config.grant) throw new CliError(`set FACTORY_GRANT to a grant for the ${name} server`);
        const controller = new AgentClient({ url: opts.url ?? config.url });
        await serveStdio(serverNamed(name), {
          controller,
          token: config.grant,
          selection: selectionOf(opts),
        });
      });

  selectionOptions(
    mcp
      .command("tools")
      .description("List a server's tools: toolset, hints and title. Needs no controller.")
      .argument("<server>", SERVER_NAMES.join(", "))
      .option("--json", "print the tools as JSON"),
  )
    .addHelpText("after", "\nExit codes: 0 ok, 2 unknown server, toolset or tool.")
    .action((server: string, opts: SelectionFlags & { json?: boolean }) => {
      const tools = selectTools(serverNamed(server), selectionOf(opts)).map((tool) => ({
        name: tool.name,
        toolset: tool.toolset,
        title: tool.title,
        ...tool.hints,
      }));
      const flags = (t: (typeof tools)[number]) =>
        t.readOnlyHint
          ? "read"
          : `${t.destructiveHint ? "destructive" : "additive"}${t.idempotentHint ? ", idempotent" : ""}`;
      emit(Boolean(opts.json), tools, () =>
        tools
          .map((t) => `${t.name.padEnd(40)} ${t.toolset.padEnd(20)} ${flags(t).padEnd(24)} ${t.title}`)
          .join("\n"),
      );
    });

  registerMcpConfig(mcp, { factoryBin: resolve(import.meta.dirname, "../../bin/factory.js") });
}
