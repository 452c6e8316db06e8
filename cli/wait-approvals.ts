import type { PendingApproval } from "../graphs/middleware/governed-tools.ts";

/** Where an approval stands, from the controller's API or from the controller in this process. */
export type ApprovalStatusOf = (id: string) => Promise<{ id: string; status: string }>;

/**
 * Waits until no approval in `approvals` is pending any more, saying once what it waits for: another
 * operator decides (whoever started the run may not approve it).
 */
export async function waitForApprovals(
  statusOf: ApprovalStatusOf,
  approvals: PendingApproval[],
  options: { pollMs: number; log: (line: string) => void },
): Promise<void> {
  for (const a of approvals)
    options.log(
      `  waiting for approval ${a.approvalId} (${a.tool}): another operator runs factory approvals approve ${a.approvalId}`,
    );
  for (;;) {
    const statuses = await Promise.all(approvals.map((a) => statusOf(a.approvalId)));
    if (statuses.every((s) => s.status !== "pending")) {
      for (const s of statuses) options.log(`  approval ${s.id}: ${s.status}`);
      return;
    }
    await new Promise((r) => setTimeout(r, options.pollMs));
  }
}
