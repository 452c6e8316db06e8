import { resolve } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "../../controller/config.ts";
import { TenantId } from "../../controller/ids.ts";
import { exportBundle } from "../../controller/ledger/bundle-export.ts";
import { verifyBundle } from "../../controller/ledger/bundle-verify.ts";
import { openRuntime, type Runtime } from "../../controller/runtime.ts";
import { CliError, EXIT, emit, endProgress, progress } from "../output.ts";

async function withRuntime<T>(work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(loadConfig());
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

export function registerAudit(program: Command): void {
  const audit = program
    .command("audit")
    .description("Verify, checkpoint and export the tamper-evident ledger.");

  audit
    .command("verify")
    .description(
      "Check every entry, the hash chain and every signed checkpoint; report the first entry that was modified, deleted, inserted or reordered.",
    )
    .option("--bundle <dir>", "verify an exported bundle offline instead of the database")
    .option("--merkle", "also recompute every checkpoint's Merkle root (slower; bundles always do)")
    .option("--json", "print the report as JSON")
    .addHelpText("after", "\nExit codes: 0 verified, 1 tampering found, 2 bad input.")
    .action(async (opts: { bundle?: string; merkle?: boolean; json?: boolean }) => {
      const onProgress = (n: number, total: number) => progress(`verified ${n} of ${total} entries`);
      const report = opts.bundle
        ? await verifyBundle(resolve(opts.bundle))
        : await withRuntime((r) => r.ledger.verify({ merkle: Boolean(opts.merkle), onProgress }));
      endProgress();
      emit(Boolean(opts.json), report, () =>
        report.ok
          ? `ledger verified: ${report.entries} entries, ${report.checkpointsVerified} signed checkpoints`
          : `LEDGER TAMPERED (${report.problem?.kind} at ${report.problem?.seq}): ${report.problem?.message}`,
      );
      process.exitCode = report.ok ? EXIT.ok : EXIT.failed;
    });

  audit
    .command("overdue")
    .description(
      "List a tenant's allowed write intents whose tool never reported an outcome by its deadline.",
    )
    .requiredOption("--tenant <id>", "tenant id")
    .option("--json", "print the intents as JSON")
    .addHelpText("after", "\nExit codes: 0 none overdue, 1 some overdue, 2 bad input.")
    .action(async (opts: { tenant: string; json?: boolean }) => {
      const tenant = TenantId.safeParse(opts.tenant);
      if (!tenant.success)
        throw new CliError(`--tenant ${JSON.stringify(opts.tenant)} ${tenant.error.issues[0]?.message}`);
      const overdue = await withRuntime((r) => r.intents.overdue(tenant.data));
      emit(Boolean(opts.json), { tenant: opts.tenant, overdue }, () =>
        overdue.length === 0
          ? `no overdue intents in ${opts.tenant}`
          : [
              `${overdue.length} overdue intent(s) in ${opts.tenant}:`,
              ...overdue.map(
                (i) =>
                  `  ${i.id} ${i.tool} on ${i.resource} (deadline ${i.deadline.toISOString()}, agent ${i.agentId})`,
              ),
            ].join("\n"),
      );
      process.exitCode = overdue.length === 0 ? EXIT.ok : EXIT.failed;
    });

  audit
    .command("checkpoint")
    .description("Sign a checkpoint (tree size and Merkle root) over every entry now.")
    .option("--json", "print the checkpoint as JSON")
    .action(async (opts: { json?: boolean }) => {
      const checkpoint = await withRuntime((r) => r.ledger.checkpoint());
      emit(Boolean(opts.json), checkpoint ?? null, () =>
        checkpoint
          ? `checkpoint signed: ${checkpoint.treeSize} entries, root ${checkpoint.rootHash}`
          : "the ledger is empty: nothing to sign",
      );
    });

  audit
    .command("export")
    .description(
      "Write a bundle (entries as JSONL, checkpoints, public key) that `factory-verify-bundle` checks offline.",
    )
    .requiredOption("--out <dir>", "directory to write the bundle to")
    .option("--tenant <id>", "export only this tenant's entries, each with its inclusion proof")
    .option("--json", "print the manifest as JSON")
    .action(async (opts: { out: string; tenant?: string; json?: boolean }) => {
      const out = resolve(opts.out);
      const manifest = await withRuntime((r) =>
        exportBundle(r.ledger, out, {
          ...(opts.tenant ? { tenant: opts.tenant } : {}),
          onProgress: (n) => progress(`exported ${n} entries`),
        }),
      );
      endProgress();
      emit(
        Boolean(opts.json),
        { ...manifest, dir: out },
        () => `exported ${manifest.entries} entries (tree size ${manifest.treeSize}) to ${out}`,
      );
    });
}
