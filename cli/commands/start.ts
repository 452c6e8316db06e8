import type { Command } from "commander";
import { loadAgentConfig } from "../../agents/config.ts";
import { loadConfig } from "../../controller/config.ts";
import { ensureBootstrapAdmin } from "../../controller/operators/operators.ts";
import { openRuntime } from "../../controller/runtime.ts";
import { serveController } from "../../controller/serve.ts";
import { replaySession } from "../demo.ts";
import { embeddedSandboxes } from "../embedded-sandboxes.ts";
import { mountMcpServers } from "../mcp-mount.ts";
import { chatOnStart } from "../start-chat.ts";

export function registerStart(program: Command): void {
  program
    .command("start")
    .description(
      "Start the controller on the configured database (embedded PGlite unless DATABASE_URL is set) and print where it listens.",
    )
    .addHelpText(
      "after",
      "\nEnvironment: FACTORY_DATA_DIR, DATABASE_URL, FACTORY_HOST (127.0.0.1), FACTORY_PORT (7300; 0 picks a free port).\nWith no GitHub credentials (FACTORY_SECRETS_FILE, GITHUB_*), the GitHub sandbox is served on FACTORY_SANDBOX_PORT (7301);\nwith no Azure DevOps credentials (AZURE_DEVOPS_*), the Azure DevOps sandbox on FACTORY_SANDBOX_ADO_PORT (7302).\nThe broker hands out credentials for them.\nAfter starting: with OPENAI_API_KEY (and OPENAI_BASE_URL for Ollama, vLLM, LM Studio, Azure OpenAI) set, a live chat with\nthe founder of --tenant on this terminal, approvals left to another operator; without it, on a fresh machine, a recorded\nfounder session replayed end to end (sessions/first-startup.jsonl).\nStops cleanly on Ctrl-C, signing a final ledger checkpoint.",
    )
    .option(
      "--no-demo",
      "do not replay the recorded founder session (or, with OPENAI_API_KEY set, chat with the founder) after starting",
    )
    .option(
      "--tenant <id>",
      "with OPENAI_API_KEY set: the startup to chat about (created if missing)",
      "acme",
    )
    .action(async (opts: { demo: boolean; tenant: string }) => {
      const live = Boolean(loadAgentConfig().openai);
      const config = loadConfig();
      const where =
        config.database.kind === "pglite"
          ? `PGlite at ${config.database.dataDir}`
          : "PostgreSQL (DATABASE_URL)";
      process.stderr.write(`opening ${where}…\n`);
      const sandboxes: string[] = [];
      let githubSandboxed = false;
      const runtime = await openRuntime(
        config,
        embeddedSandboxes(config, ({ provider, label, url }) => {
          // The sandbox needs no pacing; GitHub itself asks integrations to pace their writes.
          githubSandboxed ||= provider === "github";
          sandboxes.push(`${label} on ${url}\n`);
        }),
      );
      const adminKey = await ensureBootstrapAdmin(runtime.database.db);
      let mcp: ReturnType<typeof mountMcpServers> | undefined;
      let app: Parameters<typeof replaySession>[1] | undefined;
      const controller = await serveController(runtime, {
        extend: (served) => {
          app = served;
          mcp = mountMcpServers(served, { githubPaced: !githubSandboxed });
        },
      });
      // One write, so whoever waits for the address has the first-start key with it.
      process.stdout.write(
        `${
          adminKey
            ? `first start: operator "admin" created. Its API key is shown this once; keep it safe:\n  ${adminKey}\n`
            : ""
        }${sandboxes.join("")}controller listening on ${controller.url} (database: ${where})\nMCP servers (Streamable HTTP): ${controller.url}/mcp/{github,azure-devops,database,ai}\n`,
      );
      if (opts.demo && app && live)
        await chatOnStart(runtime, app, { tenant: opts.tenant, githubPaced: !githubSandboxed }).catch(
          (error: Error) => process.stderr.write(`chat: ${error.message}\n`),
        );
      else if (opts.demo && app) {
        const replayed = await replaySession(runtime, app, {
          log: (line) => process.stderr.write(`${line}\n`),
        });
        if (replayed)
          process.stdout.write(
            `\n${replayed.summary}\nledger ${replayed.verified ? "verified" : "FAILED verification"}: ${replayed.entries} entries\n`,
          );
      }
      const stop = async () => {
        process.stderr.write("stopping…\n");
        await mcp?.close();
        await controller.close();
        await runtime.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
