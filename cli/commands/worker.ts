import type { Command } from "commander";
import { loadAgentConfig } from "../../agents/config.ts";
import { modelFor, NoModelConfigured } from "../../agents/models.ts";
import { loadPersonas } from "../../agents/personas.ts";
import { RunQueue } from "../../agents/run-queue.ts";
import { serveRuns } from "../../graphs/run-worker.ts";
import { toolsets } from "../../mcp-servers/catalog.ts";
import { remoteRunner } from "../agent-runner.ts";
import { CLIENT_HELP } from "../controller-client.ts";
import { logEvents } from "./tenants.ts";

const log = (line: string) => process.stderr.write(`${line}\n`);

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description(
      "Serve lifecycle runs from the PostgreSQL run queue (DATABASE_URL), several at a time; run as many workers on as many machines as you like. Personas without a model run their deterministic part.",
    )
    .option("--concurrency <n>", "runs served at once (default FACTORY_WORKERS, 2)")
    .addHelpText(
      "after",
      `\nEnvironment: DATABASE_URL (the queue and checkpoints; without it the queue is this process's own), OPENAI_API_KEY, OPENAI_BASE_URL.\nStops cleanly on Ctrl-C.${CLIENT_HELP}`,
    )
    .action(async (opts: { concurrency?: string }) => {
      const config = loadAgentConfig();
      const personas = await loadPersonas(config.personasDir, toolsets());
      const remote = await remoteRunner({
        modelFor: (persona) => {
          const p = personas.get(persona);
          try {
            return p ? modelFor(p, config) : undefined;
          } catch (error) {
            if (error instanceof NoModelConfigured) return undefined;
            throw error;
          }
        },
        onEvent: logEvents(log),
      });
      const queue = await RunQueue.open(remote.store);
      const concurrency = Number(opts.concurrency ?? config.workers);
      await serveRuns(
        {
          queue,
          runner: remote.runner,
          log,
          approvalsDecided: async (approvals) =>
            (await Promise.all(approvals.map((a) => remote.operator.approvalStatus(a.approvalId)))).every(
              (s) => s.status !== "pending",
            ),
        },
        concurrency,
      );
      process.stdout.write(`worker serving ${concurrency} runs at a time\n`);
      const stop = async () => {
        await queue.close();
        await remote.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
