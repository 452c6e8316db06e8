import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { interrupt } from "@langchain/langgraph";
import type { RecordedTurn } from "../../middleware/turn-recorder.ts";
import { personaAgent } from "../../persona.ts";
import type { LifecycleDeps } from "../deps.ts";
import type { LifecycleState, LifecycleUpdate } from "../state.ts";

/** What the lifecycle asks the person when the founder needs to know more. */
export interface InputInterrupt {
  type: "input";
  question: string;
}

const PLANNERS = { github__plan_blueprint: "github", "azure-devops__plan_blueprint": "azureDevOps" } as const;

/** The blueprints the founder planned successfully in the conversation, the last of each provider's. */
export function plannedBlueprints(messages: LifecycleState["messages"]): {
  github?: Record<string, unknown>;
  azureDevOps?: Record<string, unknown>;
} {
  const ok = new Set(
    messages
      .filter((m) => ToolMessage.isInstance(m) && m.status !== "error")
      .map((m) => (m as ToolMessage).tool_call_id),
  );
  const planned: { github?: Record<string, unknown>; azureDevOps?: Record<string, unknown> } = {};
  for (const message of messages)
    if (AIMessage.isInstance(message))
      for (const call of message.tool_calls ?? []) {
        const provider = PLANNERS[call.name as keyof typeof PLANNERS];
        if (provider && call.id && ok.has(call.id)) planned[provider] = call.args;
      }
  return planned;
}

/** The founder's turn in the conversation: it talks, and plans blueprints when it knows enough. */
export function intake(deps: LifecycleDeps) {
  return async (state: LifecycleState, config: LangGraphRunnableConfig): Promise<LifecycleUpdate> => {
    if (state.startup) return {};
    const model = deps.modelFor("founder");
    if (!model) throw new Error("there is no blueprint and no model for the founder to make one with");
    deps.onEvent?.({ type: "phase", phase: "intake" });
    const founder = personaAgent({
      persona: deps.founder.persona,
      ...model,
      toolbox: deps.founder.toolbox,
      situation: `You are agent ${deps.founder.agentId} of tenant ${state.tenant}: its GitHub organisation is ${state.tenant}, its Azure DevOps project tenant-${state.tenant}.`,
      onToolCall: (call) => deps.onEvent?.({ type: "tool", persona: "founder", ...call }),
      ...(deps.onEvent
        ? {
            onToken: (text: string) => deps.onEvent?.({ type: "token", persona: "founder", text }),
            onModelTurn: (turn: RecordedTurn) => deps.onEvent?.({ type: "turn", persona: "founder", turn }),
          }
        : {}),
    });
    const result = await founder.invoke({ messages: state.messages }, config);
    const said = result.messages.at(-1);
    if (said && AIMessage.isInstance(said) && said.text)
      deps.onEvent?.({ type: "said", persona: "founder", text: said.text });
    return { messages: result.messages };
  };
}

/** Asks the person what the founder asked, and hands the answer back to the founder. */
export function askPerson(state: LifecycleState): LifecycleUpdate {
  const last = state.messages.findLast((m) => AIMessage.isInstance(m));
  const answer = interrupt<InputInterrupt, string>({ type: "input", question: last?.text ?? "" });
  return { messages: [new HumanMessage(answer)] };
}
