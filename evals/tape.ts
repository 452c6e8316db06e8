import type { ModelTurn, SessionStart, ToolLine } from "../agents/cassette.ts";
import type { TappedCall } from "../agents/tool-tap.ts";
import type { RecordedTurn } from "../graphs/middleware/turn-recorder.ts";
import { type CallRecord, callRecord } from "./evidence.ts";
import { redactForCassette, redactResultForCassette } from "./redact.ts";

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
          // The evidence's arguments: secret fields redacted already, and no approval id (it differs every run).
          arguments: await redactForCassette(record.tool, record.arguments),
          status: record.status,
          result: await redactResultForCassette(entry.call.structured ?? entry.call.text),
        });
      }
    }
    return `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`;
  }
}

const key = (c: { tool: string; status: string }) => `${c.tool} ${c.status}`;

/** Each agent's calls as a sorted list: calls made in one model turn run at once, so only that is stable. */
function byAgent(calls: { agent: string; tool: string; status: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of calls) out.set(c.agent, [...(out.get(c.agent) ?? []), key(c)]);
  for (const list of out.values()) list.sort();
  return out;
}

/**
 * Where a replayed run's tool calls left the recorded ones, agent by agent (each tool and how it ended), or
 * undefined when they match: a changed policy, template or runtime shows here even when the model's turns
 * still replay.
 */
export function toolDiff(recorded: ToolLine[], asked: CallRecord[]): string | undefined {
  const was = byAgent(recorded);
  const now = byAgent(asked.map((c) => ({ agent: c.persona, tool: c.tool, status: c.status })));
  for (const agent of [...new Set([...was.keys(), ...now.keys()])].sort()) {
    const before = was.get(agent) ?? [];
    const after = now.get(agent) ?? [];
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    const missing = before.filter((c, i) => before.indexOf(c) === i && count(before, c) > count(after, c));
    const extra = after.filter((c, i) => after.indexOf(c) === i && count(after, c) > count(before, c));
    return [
      `${agent}'s tool calls left the recording:`,
      ...missing.map((c) => `  - recorded: ${c} ×${count(before, c) - count(after, c)}`),
      ...extra.map((c) => `  + asked:    ${c} ×${count(after, c) - count(before, c)}`),
    ].join("\n");
  }
  return undefined;
}

const count = (xs: string[], x: string) => xs.filter((y) => y === x).length;
