/** What a person reading the report sees happen, in order. */
export type TimelineEvent =
  | { at: number; type: "message"; from: string; text: string }
  | {
      at: number;
      type: "tool";
      persona: string;
      tool: string;
      status: "done" | "refused" | "waiting" | "error";
      /** What it was asked with, as JSON, secret fields redacted (as the evidence keeps them); shortened. */
      arguments?: string;
      text: string;
    }
  | { at: number; type: "approval"; tool: string; approvalId: string; decision: "approve" | "deny" }
  | { at: number; type: "phase"; phase: string }
  | { at: number; type: "error"; message: string };
