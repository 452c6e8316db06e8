import { BaseCallbackHandler } from "@langchain/core/callbacks/base";

/**
 * Hears a model's text as it is generated. Preferring streaming makes every chat model that can stream do
 * so under it (`ChatOpenAI`, the replay model), so a person watching sees the words arrive; handlers are
 * awaited so the words come before whatever the agent does next.
 */
export class TokenStream extends BaseCallbackHandler {
  name = "token-stream";
  lc_prefer_streaming = true;
  override awaitHandlers = true;

  constructor(private readonly onToken: (text: string) => void) {
    super();
  }

  override handleLLMNewToken(token: string): void {
    if (token) this.onToken(token);
  }
}
