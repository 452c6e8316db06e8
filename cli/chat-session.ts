import { createInterface } from "node:readline/promises";
import { HumanMessage } from "@langchain/core/messages";
import type { LifecycleEvent } from "../graphs/lifecycle/deps.ts";
import type { LifecycleState } from "../graphs/lifecycle/state.ts";
import { driveLifecycle, inspectRun, type LifecycleRunner, type RunDriver } from "../graphs/run-lifecycle.ts";
import { describeEvent } from "./commands/tenants.ts";
import { CliError } from "./output.ts";

/** What a chat shows besides the lifecycle's own events. */
export type ChatEvent =
  | LifecycleEvent
  | { type: "question"; question: string }
  | { type: "approval"; message: string }
  | { type: "resumed"; status: string }
  | { type: "report"; summary: string; resumed?: boolean; applies?: unknown; team?: unknown };

/**
 * Shows a chat: for a person, each persona's words as they stream, then compact progress lines (stderr);
 * for scripts, every event as a JSON line on stdout.
 */
export class ChatPrinter {
  #streaming: { persona: string; text: string } | undefined;
  #lastSaid = "";

  constructor(
    private readonly json: boolean,
    private readonly write = {
      out: (s: string) => process.stdout.write(s),
      err: (s: string) => process.stderr.write(s),
    },
  ) {}

  show(event: ChatEvent): void {
    // A recorded turn is for cassettes (its tool arguments may hold what the gate keeps as HMACs), not a chat.
    if (event.type === "turn") return;
    if (this.json) {
      this.write.out(`${JSON.stringify(event)}\n`);
      return;
    }
    switch (event.type) {
      case "token":
        if (this.#streaming?.persona !== event.persona) {
          this.#endStream();
          this.write.err(`${event.persona}> `);
          this.#streaming = { persona: event.persona, text: "" };
        }
        this.#streaming.text += event.text;
        this.write.err(event.text);
        return;
      case "said": {
        const streamed =
          this.#streaming?.persona === event.persona && this.#streaming.text.trim() === event.text.trim();
        this.#endStream();
        if (!streamed) this.#line(`${event.persona}> ${event.text}`);
        this.#lastSaid = event.text.trim();
        return;
      }
      case "question":
        this.#endStream();
        if (event.question.trim() !== this.#lastSaid) this.#line(`founder> ${event.question}`);
        return;
      case "approval":
        this.#line(event.message);
        return;
      case "resumed":
        this.#line(`resuming the conversation (${event.status})`);
        return;
      case "report":
        this.#line(
          event.resumed
            ? `This startup's conversation is over (start another with --fresh):\n\n${event.summary}`
            : `\n${event.summary}`,
        );
        return;
      default: {
        const line = describeEvent(event);
        if (line !== undefined) this.#line(line);
      }
    }
  }

  /** Asks the person (the prompt on stderr, unless scripted). */
  prompt(text: string): void {
    this.#endStream();
    if (!this.json) this.write.err(text);
  }

  #line(text: string) {
    this.#endStream();
    this.write.err(`${text}\n`);
  }

  #endStream() {
    if (this.#streaming) this.write.err("\n");
    this.#streaming = undefined;
  }
}

/** Answers read a line at a time from `input`; the end of input ends the conversation. */
export function lineReader(input: NodeJS.ReadableStream) {
  const rl = createInterface({ input, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  return {
    async next(): Promise<string> {
      const next = await lines.next();
      if (next.done) throw new CliError("the conversation ended before the founder had what it needs");
      return next.value;
    },
    close: () => rl.close(),
  };
}

/**
 * A conversation with the founder about one startup, from its start or from where it stopped: the person's
 * idea, the founder's questions answered, approvals waited for, the team's progress shown, the report.
 * Returns the run's final state; a conversation already over is only reported.
 */
export async function chatSession(options: {
  runner: LifecycleRunner;
  run: { tenant: string; thread: string };
  printer: ChatPrinter;
  answers: { next(): Promise<string> };
  /** What the person wants to build; asked for when missing. */
  idea?: string;
  approvalsDecided: RunDriver["approvalsDecided"];
}): Promise<LifecycleState> {
  const { runner, run, printer, answers } = options;
  const ask = (prompt: string) => {
    printer.prompt(prompt);
    return answers.next();
  };
  const existing = await inspectRun(runner, run);
  if (existing?.status === "done") {
    printer.show({ type: "report", summary: existing.state.summary, resumed: true });
    return existing.state;
  }
  if (existing) printer.show({ type: "resumed", status: existing.status });
  const from = existing
    ? { outcome: existing }
    : {
        start: {
          messages: [new HumanMessage(options.idea ?? (await ask("founder> What are we building?\nyou> ")))],
        },
      };
  const state = await driveLifecycle(runner, run, from, {
    approvalsDecided: options.approvalsDecided,
    answer: (question) => {
      printer.show({ type: "question", question });
      return ask("you> ");
    },
  });
  printer.show({ type: "report", summary: state.summary, applies: state.applies, team: state.team });
  return state;
}
