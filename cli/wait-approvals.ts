import type { OperatorClient } from "../controller/client/operator-client.ts";
import type { PendingApproval } from "../graphs/middleware/governed-tools.ts";

/** Waits until no approval in `approvals` is pending any more, saying once what it waits for. */
export async function waitForApprovals(
  operator: OperatorClient,
  approvals: PendingApproval[],
  options: { pollMs: number; log: (line: string) => void },
): Promise<void> {
  for (const a of approvals)
    options.log(
      `  waiting for approval ${a.approvalId} (${a.tool}): factory approvals approve ${a.approvalId}`,
    );
  for (;;) {
    const statuses = await Promise.all(approvals.map((a) => operator.approvalStatus(a.approvalId)));
    if (statuses.every((s) => s.status !== "pending")) {
      for (const s of statuses) options.log(`  approval ${s.id}: ${s.status}`);
      return;
    }
    await new Promise((r) => setTimeout(r, options.pollMs));
  }
}
