import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { BudgetCheckView, UsageView } from "../controller/client/views.ts";

/** The controller refused a model call before it was made: off the allowlist or over a budget. */
export class BudgetRefused extends Error {
  override name = "BudgetRefused";
  constructor(
    readonly reasons: string[],
    readonly policies: string[],
  ) {
    super(`the model call was refused: ${reasons.join("; ")} (${policies.join(", ")})`);
  }
}

/** Metering itself failed: the AI server answered an error, so the run stops rather than spend unmetered. */
export class MeteringFailed extends Error {
  override name = "MeteringFailed";
}

const textOf = (result: unknown) =>
  Array.isArray((result as { content?: unknown }).content)
    ? (result as { content: { type?: string; text?: string }[] }).content
        .map((c: { type?: string; text?: string }) => (c.type === "text" ? c.text : ""))
        .join("\n")
    : "";

/**
 * Meters an agent's model calls through the AI MCP server, with the agent's own grant: each call is checked
 * against the allowlist and budgets before it is made, and its tokens recorded after, live or replayed.
 */
export class Meter {
  constructor(
    readonly ai: Client,
    /** The model id the controller prices and allowlists (`replay` for recorded turns). */
    readonly model: string,
  ) {}

  async check(estimatedTokens: number): Promise<BudgetCheckView> {
    const result = await this.ai.callTool({
      name: "budgets_check_budget",
      arguments: { model: this.model, estimatedTokens: Math.min(estimatedTokens, 10_000_000) },
    });
    if (result.isError) throw new MeteringFailed(`checking the budget failed: ${textOf(result)}`);
    const check = BudgetCheckView.parse(result.structuredContent);
    if (check.effect === "deny") throw new BudgetRefused(check.reasons, check.policies);
    return check;
  }

  async record(inputTokens: number, outputTokens: number): Promise<UsageView> {
    const result = await this.ai.callTool({
      name: "usage_record_usage",
      arguments: { model: this.model, inputTokens, outputTokens },
    });
    if (result.isError) throw new MeteringFailed(`recording the usage failed: ${textOf(result)}`);
    const answer = result.structuredContent as { status?: string; result?: unknown };
    return UsageView.parse(answer.result);
  }
}
