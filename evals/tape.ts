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

/** JSON with every object's keys sorted: the same arguments always read the same. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );

/** One call as the diff compares it: the tool, how it ended, and what it was asked with. */
interface Asked {
  agent: string;
  tool: string;
  status: string;
  arguments: Record<string, unknown>;
}
/**
 * What differs from one run to the next by nature, not by the run's choices (a commit's SHA holds its time,
 * an id is random): read as its kind, so only a real difference in what was asked shows.
 */
const VOLATILE: [RegExp, string][] = [
  [/\b[0-9a-f]{40}\b/g, "<sha>"],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, "<uuid>"],
  [/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z\b/g, "<time>"],
];
const key = (c: Asked) =>
  VOLATILE.reduce(
    (text, [pattern, kind]) => text.replace(pattern, kind),
    `${c.tool} ${c.status} ${canonical(c.arguments)}`,
  );
const shown = (key: string) => (key.length > 300 ? `${key.slice(0, 299)}…` : key);

/** Each agent's calls as a sorted list: calls made in one model turn run at once, so only that is stable. */
function byAgent(calls: Asked[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of calls) out.set(c.agent, [...(out.get(c.agent) ?? []), key(c)]);
  for (const list of out.values()) list.sort();
  return out;
}

/**
 * Where a replayed run's tool calls left the recorded ones, agent by agent (each tool, how it ended and its
 * arguments as the cassette keeps them), or undefined when they match: a changed policy, template or runtime
 * shows here even when the model's turns still replay.
 */
export async function toolDiff(recorded: ToolLine[], asked: CallRecord[]): Promise<string | undefined> {
  const was = byAgent(recorded);
  const now = byAgent(
    await Promise.all(
      asked.map(async (c) => ({
        agent: c.persona,
        tool: c.tool,
        status: c.status,
        arguments: await redactForCassette(c.tool, c.arguments),
      })),
    ),
  );
  for (const agent of [...new Set([...was.keys(), ...now.keys()])].sort()) {
    const before = was.get(agent) ?? [];
    const after = now.get(agent) ?? [];
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    const missing = before.filter((c, i) => before.indexOf(c) === i && count(before, c) > count(after, c));
    const extra = after.filter((c, i) => after.indexOf(c) === i && count(after, c) > count(before, c));
    return [
      `${agent}'s tool calls left the recording:`,
      ...missing.map((c) => `  - recorded: ${shown(c)} ×${count(before, c) - count(after, c)}`),
      ...extra.map((c) => `  + asked:    ${shown(c)} ×${count(after, c) - count(before, c)}`),
    ].join("\n");
  }
  return undefined;
}

const count = (xs: string[], x: string) => xs.filter((y) => y === x).length;
