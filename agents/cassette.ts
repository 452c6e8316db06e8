import { readFile } from "node:fs/promises";
import { z } from "zod";

/** What the model was shown last before a recorded turn: enough to tell the conversation left the recording. */
export const Expected = z.discriminatedUnion("role", [
  z.object({ role: z.literal("human"), text: z.string() }),
  z.object({
    role: z.literal("tool"),
    name: z.string().describe("the tool whose result came last"),
    status: z.enum(["success", "error"]),
  }),
]);
export type Expected = z.infer<typeof Expected>;

/** One recorded model turn of one agent. */
export const ModelTurn = z.object({
  kind: z.literal("model"),
  /** Whose turn: the persona, and `#n` for its n-th agent in a run (`dev#2`). */
  agent: z.string().min(1),
  /** Its index among that agent's turns, from 0. */
  turn: z.number().int().min(0),
  expects: Expected,
  response: z.object({
    content: z.string().default(""),
    toolCalls: z
      .array(z.object({ id: z.string(), name: z.string(), args: z.record(z.string(), z.unknown()) }))
      .default([]),
    usage: z.object({ input: z.number().int().min(0), output: z.number().int().min(0) }),
  }),
});
export type ModelTurn = z.infer<typeof ModelTurn>;

/** A tool call at the MCP boundary as recorded: who, which tool, with which (redacted) arguments, how it ended. */
export const ToolLine = z.object({
  kind: z.literal("tool"),
  agent: z.string().min(1),
  tool: z.string().min(1).describe("<server>__<tool>"),
  arguments: z.record(z.string(), z.unknown()).default({}),
  status: z.enum(["done", "refused", "waiting", "error"]),
  result: z
    .unknown()
    .optional()
    .describe(
      "what the tool answered: its structured result, else its text; redacted whole if secretlint finds a secret in it",
    ),
});
export type ToolLine = z.infer<typeof ToolLine>;

/** What a recorded session starts from: the tenant and what the person said first. */
export const SessionStart = z.object({
  kind: z.literal("session"),
  tenant: z.string().min(1),
  name: z.string().min(1),
  idea: z.string().min(1),
});
export type SessionStart = z.infer<typeof SessionStart>;

export class CassetteError extends Error {
  override name = "CassetteError";
}

/** A cassette: recorded turns by agent, in order. JSONL, one turn a line; other kinds of line are kept apart. */
export class Cassette {
  constructor(
    readonly turns: ModelTurn[],
    readonly session?: SessionStart,
    /** The tool calls the recorded run made, in order (none in a hand-written cassette). */
    readonly tools: ToolLine[] = [],
  ) {}

  static parse(text: string, file = "cassette"): Cassette {
    const turns: ModelTurn[] = [];
    const tools: ToolLine[] = [];
    let session: SessionStart | undefined;
    text.split("\n").forEach((line, i) => {
      if (!line.trim()) return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new CassetteError(`${file}:${i + 1}: not JSON`);
      }
      if ((json as { kind?: unknown }).kind === "session") {
        const parsed = SessionStart.safeParse(json);
        if (!parsed.success)
          throw new CassetteError(`${file}:${i + 1}: ${z.prettifyError(parsed.error).replaceAll("\n", " ")}`);
        session = parsed.data;
        return;
      }
      if ((json as { kind?: unknown }).kind === "tool") {
        const parsed = ToolLine.safeParse(json);
        if (!parsed.success)
          throw new CassetteError(`${file}:${i + 1}: ${z.prettifyError(parsed.error).replaceAll("\n", " ")}`);
        tools.push(parsed.data);
        return;
      }
      if ((json as { kind?: unknown }).kind !== "model") return;
      const parsed = ModelTurn.safeParse(json);
      if (!parsed.success)
        throw new CassetteError(`${file}:${i + 1}: ${z.prettifyError(parsed.error).replaceAll("\n", " ")}`);
      turns.push(parsed.data);
    });
    return new Cassette(turns, session, tools);
  }

  static async load(file: string): Promise<Cassette> {
    return Cassette.parse(await readFile(file, "utf8"), file);
  }

  /** The turns recorded for `agent`, by index. */
  for(agent: string): ModelTurn[] {
    return this.turns.filter((t) => t.agent === agent).sort((a, b) => a.turn - b.turn);
  }
}
