import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { parse } from "yaml";
import { z } from "zod";
import { RunQueue } from "../../agents/run-queue.ts";
import type { LifecycleEvent } from "../../graphs/lifecycle/deps.ts";
import {
  type StartupBlueprint,
  StartupBlueprint as StartupBlueprintSchema,
} from "../../graphs/lifecycle/startup-blueprint.ts";
import { driveLifecycle, releaseRun } from "../../graphs/run-lifecycle.ts";
import { remoteRunner } from "../agent-runner.ts";
import { CLIENT_HELP } from "../controller-client.ts";
import { CliError, EXIT, emit } from "../output.ts";
import { waitForApprovals } from "../wait-approvals.ts";

async function readBlueprint(file: string): Promise<StartupBlueprint> {
  let text: string;
  try {
    text = await readFile(resolve(file), "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new CliError(`${file} is not YAML: ${(error as Error).message}`);
  }
  const parsed = StartupBlueprintSchema.safeParse(data);
  if (!parsed.success)
    throw new CliError(`${file} is not a startup blueprint:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

const TOOL_MARK = {
  done: "✓",
  error: "✗ refused",
  pending_approval: "… waits for approval",
  refused: "✗ not offered to this persona",
} as const;

/** A lifecycle event as a line of progress; none for a streamed piece of text (its `said` follows). */
export function describeEvent(event: LifecycleEvent): string | undefined {
  switch (event.type) {
    case "phase":
      return `[${event.phase}]`;
    case "step":
      return `  ${event.message}`;
    case "spawned":
      return `  spawned ${event.persona} (${event.agentId})`;
    case "tool":
      return `  ${event.persona} → ${event.tool} ${TOOL_MARK[event.status]}`;
    case "said":
      return `${event.persona}> ${event.text}`;
    case "token":
    case "turn":
      return undefined;
  }
}

/** Lifecycle events as lines of progress through `log`. */
export const logEvents =
  (log: (line: string) => void) =>
  (event: LifecycleEvent): void => {
    const line = describeEvent(event);
    if (line !== undefined) log(line);
  };

/** Hands the run to the workers: the tenant registered, the start queued; prints the run's id. */
async function queueRun(blueprint: StartupBlueprint, json: boolean): Promise<void> {
  const remote = await remoteRunner({ modelFor: () => undefined });
  const queue = await RunQueue.open(remote.store);
  try {
    await remote.operator.ensureTenant(blueprint.tenant, blueprint.name);
    const runId = `apply-${Date.now().toString(36)}`;
    await queue.enqueue({
      runId,
      tenant: blueprint.tenant,
      thread: `${blueprint.tenant}/${runId}`,
      step: "start",
      input: { startup: blueprint },
    });
    emit(
      json,
      { runId, tenant: blueprint.tenant, status: "queued" },
      () => `run ${runId} queued for ${blueprint.tenant}`,
    );
  } finally {
    await queue.close();
    await remote.close();
  }
}

export function registerTenants(program: Command): void {
  const tenants = program.command("tenants").description("Build tenants' estates without a model.");
  tenants
    .command("apply")
    .description(
      "Run the startup lifecycle from a blueprint file, deterministically: plan, wait for approval, apply on GitHub, Azure DevOps and the tenant database, spawn the team (sec turns on security settings and reviews pull requests, finance reads the budgets) and report. Every call goes through the controller's gate.",
    )
    .argument(
      "<file>",
      "a startup blueprint (YAML): tenant, name, product, github, azureDevOps, database, team",
    )
    .option("--json", "print the result as JSON (progress still goes to stderr)")
    .option("--poll <seconds>", "how often to look at pending approvals", "2")
    .option(
      "--queue",
      "queue the run for `factory worker`s (DATABASE_URL) and print its id, instead of running it here",
    )
    .addHelpText(
      "after",
      `\nApprovals are decided by operators: \`factory approvals approve ID\` in another terminal.\nExit codes: 0 built, 1 an apply was denied, 2 bad blueprint or input, 4 controller unreachable.${CLIENT_HELP}`,
    )
    .action(async (file: string, opts: { json?: boolean; poll: string; queue?: boolean }) => {
      const blueprint = await readBlueprint(file);
      if (opts.queue) return queueRun(blueprint, Boolean(opts.json));
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const thread = `${blueprint.tenant}/apply-${Date.now().toString(36)}`;
      const remote = await remoteRunner({ modelFor: () => undefined, onEvent: logEvents(log) });
      try {
        if (await remote.operator.ensureTenant(blueprint.tenant, blueprint.name))
          log(`tenant ${blueprint.tenant} created`);
        const state = await driveLifecycle(
          remote.runner,
          { tenant: blueprint.tenant, thread },
          { start: { startup: blueprint } },
          {
            approvalsDecided: (approvals) =>
              waitForApprovals((id) => remote.operator.approvalStatus(id), approvals, {
                pollMs: Number(opts.poll) * 1000,
                log,
              }),
            answer: () =>
              Promise.reject(new CliError("the lifecycle asked a question; tenants apply has no model")),
          },
        );
        const built = state.applies.every((a) => a.status === "done");
        emit(
          Boolean(opts.json),
          {
            tenant: state.tenant,
            applies: state.applies,
            database: state.database,
            team: state.team,
            summary: state.summary,
          },
          () => state.summary,
        );
        if (!built) process.exitCode = EXIT.failed;
      } finally {
        await releaseRun(thread);
        await remote.close();
      }
    });
}
