import { readFile, writeFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { loadAgentConfig } from "../../agents/config.ts";
import { loadConfig, providerVariables } from "../../controller/config.ts";
import { liveOwners } from "../../evals/live-providers.ts";
import { regrade } from "../../evals/regrade.ts";
import { htmlReport } from "../../evals/report-html.ts";
import { runInProcesses } from "../../evals/run-processes.ts";
import type { ScenarioResult } from "../../evals/run-scenario.ts";
import { runScenario } from "../../evals/run-scenario.ts";
import { type EvalReport, runSuites } from "../../evals/run-suites.ts";
import { findScenario, loadSuites, ScenarioError } from "../../evals/scenario.ts";
import { migratedTemplate } from "../../evals/template.ts";
import { CliError, EXIT, endProgress, progress } from "../output.ts";

const pct = (x: number) => `${Math.round(x * 100)}%`;

function resultLine(r: ScenarioResult): string {
  const failed = r.checks.filter((c) => !c.pass);
  const why =
    r.error ??
    failed
      .map((c) => `${c.name} (expected ${JSON.stringify(c.expected)}, got ${JSON.stringify(c.actual)})`)
      .join("; ");
  return `${r.pass ? "✓" : "✗"} ${r.id}#${r.trial} ${(r.durationMs / 1000).toFixed(1)} s, ${r.toolCalls} tool calls, ${r.denials} refused, ${r.tokens} tokens${r.pass ? "" : ` — ${why}`}`;
}

function table(report: EvalReport): string {
  const rows = report.suites.map(
    (s) =>
      `  ${s.suite.padEnd(18)} ${String(s.scenarios).padStart(9)} ${pct(s.passAt1).padStart(7)} ${pct(s.passAllK).padStart(7)} ${pct(s.attackAttemptedRate).padStart(9)} ${pct(s.attackSuccessRate).padStart(8)} ${String(s.denials).padStart(7)} ${String(s.toolCalls).padStart(6)} ${String(s.tokens).padStart(8)} ${`$${s.costUsd.toFixed(4)}`.padStart(9)}`,
  );
  return [
    `  ${"suite".padEnd(18)} scenarios  pass@1  pass^${report.trials} attempted  success denials  calls   tokens      cost`,
    ...rows,
    `${report.pass ? "all passed" : "FAILED"} in ${(report.durationMs / 1000).toFixed(1)} s`,
  ].join("\n");
}

export function registerEval(program: Command): void {
  const evals = program
    .command("eval")
    .description(
      "Offline eval suites: scenarios replayed from recorded model turns through the real governed stack, then graded.",
    );
  evals
    .command("run")
    .description(
      "Run scenarios (every shipped suite, or those named) in fresh sandbox worlds, with their recorded model turns; grade the providers' end state, the trajectory, the ledger and the cost.",
    )
    .argument(
      "[suite...]",
      "suites (evals/suites/<suite>) or single scenarios (<suite>/<name>); all when none is named",
    )
    .option("--trials <k>", "runs of each scenario, each in a fresh world (pass@1, pass^k)", "1")
    .option("--concurrency <n>", "worlds at once in each process", "2")
    .option("--processes <n>", "processes to spread the scenarios over, each on a core of its own", "1")
    .option("--json", "print the whole report as JSON on stdout")
    .option("--report <file.html>", "also write a report a person can read, with each scenario's timeline")
    // How --processes hands its shards the one world template it made: not for people.
    .addOption(new Option("--template <dir>").hideHelp())
    .addHelpText(
      "after",
      "\nNo network, no keys: the embedded database and the sandboxes, the cassette's model turns.\nA run that leaves its recording fails closed, naming the agent and the step.\nExit codes: 0 every scenario passed every trial, 1 one did not, 2 bad arguments or a bad scenario file.",
    )
    .action(
      async (
        suites: string[],
        opts: {
          trials: string;
          concurrency: string;
          processes: string;
          json?: boolean;
          report?: string;
          template?: string;
        },
      ) => {
        const trials = Number(opts.trials);
        const concurrency = Number(opts.concurrency);
        const processes = Number(opts.processes);
        if (!Number.isInteger(processes) || processes < 1)
          throw new CliError("--processes must be a whole number ≥ 1");
        if (!Number.isInteger(trials) || trials < 1)
          throw new CliError("--trials must be a whole number ≥ 1");
        if (!Number.isInteger(concurrency) || concurrency < 1)
          throw new CliError("--concurrency must be a whole number ≥ 1");
        const scenarios = await loadSuites(suites).catch((error) => {
          throw error instanceof ScenarioError ? new CliError(error.message) : error;
        });
        let finished = 0;
        const total = scenarios.length * trials;
        progress(`0/${total} scenario runs`);
        const onResult = (r: ScenarioResult) => {
          finished++;
          endProgress();
          if (!opts.json) process.stderr.write(`${resultLine(r)}\n`);
          progress(`${finished}/${total} scenario runs`);
        };
        const report =
          processes > 1
            ? await runInProcesses(scenarios, { processes, trials, concurrency, onResult })
            : await runSuites(scenarios, {
                trials,
                concurrency,
                onResult,
                ...(opts.template ? { template: opts.template } : {}),
              });
        endProgress();
        await finish(report, opts);
      },
    );
  evals
    .command("record")
    .description(
      "Record a scenario's cassette: run it in a fresh sandbox world with every persona's model live (OPENAI_API_KEY, OPENAI_BASE_URL), and write each model turn and tool call, secrets redacted, for replay.",
    )
    .argument("<scenario>", "a scenario id (suite/name) or the path of its YAML file")
    .option("--out <file.jsonl>", "where to write the cassette (default: the scenario's own cassette file)")
    .option(
      "--replay",
      "re-tape instead: replay the cassette's own model turns (no model needed) and write them again with this run's tool calls, after an intended change in policy or runtime",
    )
    .option(
      "--live",
      "run against the providers your environment configures (GITHUB_TOKEN, GITHUB_API_URL; AZURE_DEVOPS_ORG_URL, AZURE_DEVOPS_PAT) instead of their sandboxes: the scenario's tenant must name a GitHub organisation you own, and what the run creates stays",
    )
    .option("--json", "print the recorded run's result as JSON on stdout")
    .addHelpText(
      "after",
      "\nSecret fields are always redacted; a file's content is kept unless secretlint's rules find a secret in it.\nThe cassette is written even when the run fails its graders, so it can be read.\nExit codes: 0 the recorded run passed its graders, 1 it did not, 2 bad input or no model configured.",
    )
    .action(
      async (name: string, opts: { out?: string; json?: boolean; replay?: boolean; live?: boolean }) => {
        const config = loadAgentConfig();
        if (!opts.replay && !config.openai)
          throw new CliError(
            "set OPENAI_API_KEY (and OPENAI_BASE_URL for another OpenAI-compatible server) to record",
          );
        const live = opts.live ? await liveProviders() : undefined;
        const scenario = await findScenario(name).catch((error) => {
          throw error instanceof ScenarioError ? new CliError(error.message) : error;
        });
        const template = await migratedTemplate([scenario]);
        try {
          progress(`recording ${scenario.id}…`);
          const result = await runScenario(scenario, template.dir, 1, {
            ...(opts.replay ? { retape: true } : { record: config }),
            ...(live ? { live } : {}),
          });
          endProgress();
          const out = opts.out ?? scenario.cassettePath ?? scenario.file.replace(/\.ya?ml$/, ".jsonl");
          if (result.cassette) await writeFile(out, result.cassette);
          const { cassette: _, ...shown } = result;
          if (opts.json) process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
          else process.stderr.write(`${resultLine(result)}\ncassette: ${out}\n`);
          if (!result.pass) process.exitCode = EXIT.failed;
        } finally {
          await template.dispose();
        }
      },
    );
  evals
    .command("regrade")
    .description(
      "Re-grade a stored run (the JSON `eval run --json` printed) by the scenarios' graders as they are now, from the evidence each run kept: nothing runs again.",
    )
    .argument("<report.json>", "a report from `factory eval run --json`")
    .option("--json", "print the re-graded report as JSON on stdout")
    .option("--report <file.html>", "also write the re-graded report as HTML")
    .addHelpText(
      "after",
      "\nExit codes: 0 every scenario passes now, 1 one does not, 2 an unreadable report or scenario.",
    )
    .action(async (file: string, opts: { json?: boolean; report?: string }) => {
      let stored: EvalReport;
      try {
        stored = JSON.parse(await readFile(file, "utf8")) as EvalReport;
      } catch (error) {
        throw new CliError(`${file} is not a stored eval report: ${(error as Error).message}`);
      }
      if (!Array.isArray(stored.scenarios))
        throw new CliError(`${file} is not a stored eval report: it has no scenarios`);
      const report = await regrade(stored).catch((error) => {
        throw error instanceof ScenarioError ? new CliError(error.message) : error;
      });
      await finish(report, opts);
    });
}

/** Prints the report (and writes its HTML), with the exit code CI gates on. */
async function finish(report: EvalReport, opts: { json?: boolean; report?: string }): Promise<void> {
  if (opts.report) {
    await writeFile(opts.report, htmlReport(report));
    if (!opts.json) process.stderr.write(`report: ${opts.report}\n`);
  }
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${table(report)}\n`);
  if (!report.pass) process.exitCode = EXIT.failed;
}

/** The user's provider variables for `--live`, checked before any world is built: at least one provider, each with its owner's token. */
async function liveProviders(): Promise<Record<string, string | undefined>> {
  const env = providerVariables();
  const owners = await liveOwners(loadConfig(env)).catch((error: Error) => {
    throw new CliError(error.message);
  });
  if (!owners.github && !owners.azureDevOps)
    throw new CliError(
      "--live needs a provider configured: GITHUB_TOKEN (and GITHUB_API_URL for GitHub Enterprise), or AZURE_DEVOPS_ORG_URL and AZURE_DEVOPS_PAT",
    );
  return env;
}
