import type { Command } from "commander";
import type { ApprovalView } from "../../controller/approvals/approvals.ts";
import { CLIENT_HELP, ControllerClient } from "../controller-client.ts";
import { EXIT, emit } from "../output.ts";

const approves = (a: ApprovalView) => a.votes.filter((v) => v.vote === "approve").length;

function summary(a: ApprovalView): string {
  const who = a.requester.agents[0]?.persona ?? "?";
  return `${a.id}  ${a.status.padEnd(8)}  ${a.call.tool} on ${a.call.resource}  (${approves(a)}/${a.quorum} approvals; asked by ${who}; expires ${a.expiresAt})`;
}

function details(a: ApprovalView): string {
  const chain = a.requester.agents.map((x) => `${x.persona} ${x.id}`).join(" ← ");
  return [
    `${a.id} (${a.status}) in tenant ${a.tenant}`,
    `  call:      ${a.call.tool} on ${a.call.resource} (intent ${a.call.intentId})`,
    `  arguments: ${JSON.stringify(a.call.arguments)}`,
    `  plan:      ${a.call.plan === null ? "(none given)" : JSON.stringify(a.call.plan, null, 2).replaceAll("\n", "\n             ")}`,
    `  asked by:  ${chain}${a.requester.startedBy ? ` ← started by ${a.requester.startedBy}` : ""}`,
    `  required:  ${a.requiredBy.reasons.join("; ")}`,
    `  approvers: ${a.quorum} of ${a.approverRoles.join(", ")} (not ${a.requester.startedBy ?? "the requester"})`,
    ...a.votes.map(
      (v) => `  vote:      ${v.operator} ${v.vote}${v.comment ? ` — ${v.comment}` : ""} (${v.at})`,
    ),
    `  expires:   ${a.expiresAt}${a.resolvedAt ? `; settled ${a.resolvedAt}` : ""}`,
  ].join("\n");
}

export function registerApprovals(program: Command): void {
  const approvals = program
    .command("approvals")
    .description("Review risky calls waiting for human approval on a running controller, and settle them.")
    .addHelpText("after", CLIENT_HELP);
  const client = (opts: { url?: string }) => new ControllerClient(opts);

  approvals
    .command("list")
    .description("List approvals, oldest first (pending ones by default).")
    .option("--tenant <id>", "only this tenant's")
    .option("--status <status>", "pending, approved, denied, expired or all", "pending")
    .option("--url <url>", "the controller (default FACTORY_URL)")
    .option("--json", "print the approvals as JSON")
    .addHelpText("after", `\nExit codes: 0 ok, 2 bad input, 4 controller unreachable.${CLIENT_HELP}`)
    .action(async (opts: { tenant?: string; status: string; url?: string; json?: boolean }) => {
      const query = new URLSearchParams({
        ...(opts.tenant ? { tenant: opts.tenant } : {}),
        ...(opts.status === "all" ? {} : { status: opts.status }),
      });
      const { approvals: list } = await client(opts).request<{ approvals: ApprovalView[] }>(
        "GET",
        `/approvals?${query}`,
      );
      emit(Boolean(opts.json), list, () =>
        list.length === 0
          ? `no ${opts.status === "all" ? "" : `${opts.status} `}approvals`
          : list.map(summary).join("\n"),
      );
    });

  approvals
    .command("show <id>")
    .description("Show one approval: the call, its plan, who asked (up to the person) and what it needs.")
    .option("--url <url>", "the controller (default FACTORY_URL)")
    .option("--json", "print the approval as JSON")
    .addHelpText("after", `\nExit codes: 0 ok, 2 unknown approval, 4 controller unreachable.${CLIENT_HELP}`)
    .action(async (id: string, opts: { url?: string; json?: boolean }) => {
      const approval = await client(opts).request<ApprovalView>(
        "GET",
        `/approvals/${encodeURIComponent(id)}`,
      );
      emit(Boolean(opts.json), approval, () => details(approval));
    });

  for (const vote of ["approve", "deny"] as const)
    approvals
      .command(`${vote} <id>`)
      .description(
        vote === "approve"
          ? "Approve a pending call; it goes through once enough distinct approvers have approved."
          : "Deny a pending call; one deny rejects it.",
      )
      .option("--comment <text>", "why, for the ledger and the requester")
      .option("--url <url>", "the controller (default FACTORY_URL)")
      .option("--json", "print the approval as JSON")
      .addHelpText(
        "after",
        `\nExit codes: 0 recorded, 1 refused (not an approver, own lineage, already voted, settled), 2 unknown approval, 4 controller unreachable.${CLIENT_HELP}`,
      )
      .action(async (id: string, opts: { comment?: string; url?: string; json?: boolean }) => {
        const approval = await client(opts).request<ApprovalView>(
          "POST",
          `/approvals/${encodeURIComponent(id)}/${vote}`,
          opts.comment ? { comment: opts.comment } : {},
        );
        emit(Boolean(opts.json), approval, () => summary(approval));
        process.exitCode = EXIT.ok;
      });
}
