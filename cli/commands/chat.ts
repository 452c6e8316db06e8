import type { Command } from "commander";
import { Cassette } from "../../agents/cassette.ts";
import { loadAgentConfig } from "../../agents/config.ts";
import { modelFor } from "../../agents/models.ts";
import { loadPersonas } from "../../agents/personas.ts";
import type { PersonaModel } from "../../graphs/lifecycle/deps.ts";
import { releaseRun } from "../../graphs/run-lifecycle.ts";
import { toolsets } from "../../mcp-servers/catalog.ts";
import { remoteRunner } from "../agent-runner.ts";
import { ChatPrinter, chatSession, lineReader } from "../chat-session.ts";
import { CLIENT_HELP } from "../controller-client.ts";
import { CliError } from "../output.ts";
import { waitForApprovals } from "../wait-approvals.ts";

export function registerChat(program: Command): void {
  program
    .command("chat")
    .description(
      "Chat with the founder agent to start a startup: it asks what it needs, plans the blueprint, waits for approvals, then spawns the team and reports. Every tool call goes through the controller's gate.",
    )
    .requiredOption(
      "--tenant <id>",
      "the startup's tenant (created if missing); its GitHub organisation has the same name",
    )
    .option("--name <name>", "the startup's display name (default: the tenant id)")
    .option("--replay <cassette>", "play recorded model turns instead of calling a model")
    .option("--fresh", "start a new conversation instead of resuming the tenant's")
    .option("--json", "print events as JSON lines on stdout (answers still come from stdin)")
    .addHelpText(
      "after",
      `\nModels: OPENAI_API_KEY, OPENAI_BASE_URL (any OpenAI-compatible server), FACTORY_MODEL_<PERSONA>.\nApprovals are decided by another operator (\`factory approvals approve ID\`); the chat waits for them.\nExit codes: 0 done, 1 an apply was denied, 2 bad input or no model, 4 controller unreachable.${CLIENT_HELP}`,
    )
    .action(
      async (opts: { tenant: string; name?: string; replay?: string; fresh?: boolean; json?: boolean }) => {
        const config = loadAgentConfig();
        const personas = await loadPersonas(config.personasDir, toolsets());
        const cassette = opts.replay ? await Cassette.load(opts.replay) : undefined;
        const models = (persona: Parameters<typeof modelFor>[0]): PersonaModel | undefined => {
          if (cassette)
            return cassette.for(persona.name).length > 0
              ? modelFor(persona, config, { cassette })
              : undefined;
          return modelFor(persona, config);
        };
        const founder = personas.get("founder");
        if (!founder) throw new CliError("there is no founder persona");
        models(founder); // fails early, exit 2, when no model can be made
        const printer = new ChatPrinter(Boolean(opts.json));
        const remote = await remoteRunner({
          modelFor: (persona) => {
            const p = personas.get(persona);
            return p ? models(p) : undefined;
          },
          onEvent: (e) => printer.show(e),
        });
        const answers = lineReader(process.stdin);
        // One conversation per tenant: `--tenant` picks it up where it stopped, unless `--fresh`.
        const thread = opts.fresh ? `${opts.tenant}/chat-${Date.now().toString(36)}` : `${opts.tenant}/chat`;
        try {
          await remote.operator.ensureTenant(opts.tenant, opts.name ?? opts.tenant);
          const state = await chatSession({
            runner: remote.runner,
            run: { tenant: opts.tenant, thread },
            printer,
            answers,
            ...(cassette?.session ? { idea: cassette.session.idea } : {}),
            approvalsDecided: (approvals) =>
              waitForApprovals((id) => remote.operator.approvalStatus(id), approvals, {
                pollMs: 2000,
                log: (line) => printer.show({ type: "approval", message: line.trim() }),
              }),
          });
          if (!state.applies.every((a) => a.status === "done")) process.exitCode = 1;
        } finally {
          answers.close();
          await releaseRun(thread);
          await remote.close();
        }
      },
    );
}
