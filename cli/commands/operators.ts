import type { Command } from "commander";
import { CLIENT_HELP, ControllerClient } from "../controller-client.ts";
import { emit } from "../output.ts";

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerOperators(program: Command): void {
  const operators = program
    .command("operators")
    .description("Manage the people who operate the controller (platform-admin only).")
    .addHelpText("after", CLIENT_HELP);

  operators
    .command("add <name>")
    .description("Add an operator and print their API key, once; only its hash is kept.")
    .requiredOption(
      "--role <role>",
      "a role such as platform-admin or security-lead (repeatable)",
      collect,
      [],
    )
    .option("--url <url>", "the controller (default FACTORY_URL)")
    .option("--json", "print the operator and key as JSON")
    .addHelpText(
      "after",
      `\nExit codes: 0 added, 1 refused, 2 bad input, 4 controller unreachable.${CLIENT_HELP}`,
    )
    .action(async (name: string, opts: { role: string[]; url?: string; json?: boolean }) => {
      const created = await new ControllerClient(opts).request<{
        operator: { id: string; name: string; roles: string[] };
        key: string;
      }>("POST", "/operators", { name, roles: opts.role });
      emit(
        Boolean(opts.json),
        created,
        () =>
          `operator ${created.operator.name} (${created.operator.roles.join(", ")}) added. Their API key is shown this once:\n  ${created.key}`,
      );
    });
}
