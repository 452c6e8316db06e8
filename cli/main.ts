import { Command, CommanderError } from "commander";
import { AgentConfigError } from "../agents/config.ts";
import { NoModelConfigured } from "../agents/models.ts";
import { PersonaLoadError } from "../agents/personas.ts";
import { ProviderConfigError } from "../controller/broker/provider-config.ts";
import { ControllerRefused, ControllerUnavailable } from "../controller/client/agent-client.ts";
import { OperatorRequestFailed } from "../controller/client/operator-client.ts";
import { ConfigError } from "../controller/config.ts";
import { DataDirBusyError } from "../controller/db/data-dir-lock.ts";
import { BundleFormatError } from "../controller/ledger/bundle-verify.ts";
import { DecisionRequestError } from "../controller/policy/engine.ts";
import { PolicyLoadError } from "../controller/policy/load.ts";
import { SelectionError } from "../mcp-servers/shared/selection.ts";
import { registerApprovals } from "./commands/approvals.ts";
import { registerAudit } from "./commands/audit.ts";
import { registerChat } from "./commands/chat.ts";
import { registerEval } from "./commands/eval.ts";
import { registerMcp } from "./commands/mcp.ts";
import { registerOperators } from "./commands/operators.ts";
import { registerPolicy } from "./commands/policy.ts";
import { registerSandbox } from "./commands/sandbox.ts";
import { registerStart } from "./commands/start.ts";
import { registerTenants } from "./commands/tenants.ts";
import { registerWorker } from "./commands/worker.ts";
import { CliError, EXIT } from "./output.ts";

/** Errors the user can act on are printed plainly with their exit code; anything else is a bug and shows its stack. */
function exitCodeOf(error: unknown): number | undefined {
  if (error instanceof CliError) return error.exitCode;
  if (
    error instanceof ConfigError ||
    error instanceof ProviderConfigError ||
    error instanceof PolicyLoadError ||
    error instanceof PersonaLoadError ||
    error instanceof AgentConfigError ||
    error instanceof NoModelConfigured ||
    error instanceof DecisionRequestError
  )
    return EXIT.usage;
  if (error instanceof BundleFormatError || error instanceof DataDirBusyError) return EXIT.usage;
  if (error instanceof SelectionError) return EXIT.usage;
  if (error instanceof ControllerUnavailable) return EXIT.unavailable;
  if (error instanceof OperatorRequestFailed) return error.status === 400 ? EXIT.usage : EXIT.failed;
  if (error instanceof ControllerRefused) return error.status === 401 ? EXIT.usage : EXIT.failed;
  return undefined;
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command("factory")
    .description(
      "startup-factory: a governed multi-agent runtime. The controller mints grants, decides policy and keeps the ledger.",
    )
    .showHelpAfterError()
    .exitOverride();
  registerStart(program);
  registerAudit(program);
  registerPolicy(program);
  registerApprovals(program);
  registerOperators(program);
  registerSandbox(program);
  registerMcp(program);
  registerTenants(program);
  registerChat(program);
  registerWorker(program);
  registerEval(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    const code = exitCodeOf(error);
    if (code === undefined) throw error;
    process.stderr.write(`factory: ${(error as Error).message}\n`);
    process.exitCode = code;
  }
}
