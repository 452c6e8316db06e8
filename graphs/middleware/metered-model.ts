import type { BaseMessage } from "@langchain/core/messages";
import { countTokensApproximately, createMiddleware } from "langchain";
import type { Meter } from "../../agents/meter.ts";

/** One run of an agent went past its persona's token budget. */
export class RunBudgetExhausted extends Error {
  override name = "RunBudgetExhausted";
}

const spent = (messages: BaseMessage[]) =>
  messages.reduce(
    (sum, m) =>
      sum + ((m as { usage_metadata?: { total_tokens?: number } }).usage_metadata?.total_tokens ?? 0),
    0,
  );

/**
 * Every model call metered through the AI server: checked against the allowlist and the budgets before it
 * is made (refused: the run stops), and its tokens recorded after. A model that reports no usage is
 * recorded at an estimate. The persona's per-run token budget is kept here too.
 */
export function meteredModel(meter: Meter, runTokens: number) {
  return createMiddleware({
    name: "MeteredModel",
    wrapModelCall: async (request, handler) => {
      const used = spent(request.state.messages);
      if (used >= runTokens)
        throw new RunBudgetExhausted(
          `this run has used ${used} tokens, its persona's budget is ${runTokens}`,
        );
      const prompt = await countTokensApproximately(request.messages);
      await meter.check(Math.ceil(prompt) + 4096);
      const response = await handler(request);
      const usage = response.usage_metadata;
      const input = usage?.input_tokens ?? Math.ceil(prompt);
      const output = usage?.output_tokens ?? Math.ceil(await countTokensApproximately([response]));
      await meter.record(input, output);
      return response;
    },
  });
}
