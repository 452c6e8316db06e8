import type { ModelTurn, SessionStart, ToolLine } from "../agents/cassette.ts";
import type { TappedCall } from "../agents/tool-tap.ts";
import type { RecordedTurn } from "../graphs/middleware/turn-recorder.ts";
import { type CallRecord, callRecord } from "./evidence.ts";
import { redactForCassette } from "./redact.ts";

type Entry = { kind: "model"; agent: string; turn: RecordedTurn } | { kind: "tool"; call: TappedCall };

/**
 * A run as it happens, in order: every model turn and every tool call at the MCP boundary. Written out as a
 * cassette (`factory eval record`), its secrets redacted before anything is written.
 */
export class Tape {
  readonly #entries: Entry[] = [];

  turn(agent: string, turn: RecordedTurn): void {
    this.#entries.push({ kind: "model", agent, turn });
  }

  tool(call: TappedCall): void {
    this.#entries.push({ kind: "tool", call });
  }

  /** The cassette: the session, then each turn and tool call as it happened. */
  async jsonl(session: SessionStart): Promise<string> {
    const lines: (SessionStart | ModelTurn | ToolLine)[] = [session];
    for (const entry of this.#entries) {
      if (entry.kind === "model") {
        const { turn } = entry;
        const toolCalls = await Promise.all(
          turn.response.toolCalls.map(async (c) => ({ ...c, args: await redactForCassette(c.name, c.args) })),
        );
        lines.push({ kind: "model", agent: entry.agent, ...turn, response: { ...turn.response, toolCalls } });
      } else {
        const record = callRecord(entry.call);
        lines.push({
          kind: "tool",
          agent: record.persona,
          tool: record.tool,
          arguments: await redactForCassette(record.tool, entry.call.arguments),
          status: record.status,
        });
      }
    }
    return `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`;
  }
}

const shown = (c: { agent?: string; persona?: string; tool: string; status: string } | undefined) =>
  c ? `${c.agent ?? c.persona} ${c.tool} ${c.status}` : "nothing";

/**
 * Where a replayed run's tool calls left the recorded ones (tool and outcome, in order), or undefined when
 * they match: a changed policy, template or runtime shows here even when the model's turns still replay.
 */
export function toolDiff(recorded: ToolLine[], asked: CallRecord[]): string | undefined {
  const at = recorded.findIndex(
    (r, i) => r.agent !== asked[i]?.persona || r.tool !== asked[i]?.tool || r.status !== asked[i]?.status,
  );
  const first = at >= 0 ? at : recorded.length < asked.length ? recorded.length : -1;
  if (first < 0) return undefined;
  const window = (xs: unknown[]) => xs.slice(first, first + 3);
  return [
    `the tool calls left the recording at call ${first + 1}:`,
    ...window(recorded).map((r) => `  - recorded: ${shown(r as ToolLine)}`),
    ...window(asked).map((a) => `  + asked:    ${shown(a as CallRecord)}`),
  ].join("\n");
}
