import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { isNode, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { SERVER_NAMES, type ServerName } from "../controller/client/servers.ts";

export const PERSONA_NAMES = ["founder", "dev", "ops", "sec", "finance"] as const;
export const PersonaName = z.enum(PERSONA_NAMES);
export type PersonaName = z.infer<typeof PersonaName>;

const Name = z.string().regex(/^[a-z][a-z0-9_-]*$/, "must be lowercase letters, digits, - or _");

/** A persona file's front matter: who it is, what it may reach, and how far one run of it may go. */
export const PersonaFrontMatter = z.strictObject({
  name: PersonaName,
  title: z.string().min(1),
  role: Name.describe("the role template its grants carry on every server"),
  model: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._:-]{0,99}$/, "must be a model id such as gpt-4.1-mini")
    .describe("the model it calls unless the runtime is told otherwise"),
  servers: z
    .partialRecord(z.enum(SERVER_NAMES), z.array(Name).min(1))
    .refine((s) => Object.keys(s).length > 0, "must name at least one server")
    .describe("per MCP server, the toolsets the model sees"),
  budget: z.strictObject({
    steps: z.number().int().positive().max(500).describe("model calls in one run"),
    tokens: z.number().int().positive().describe("input and output tokens in one run"),
  }),
  may_spawn: z.array(PersonaName).default([]),
});

export interface Persona {
  name: PersonaName;
  title: string;
  role: string;
  model: string;
  servers: Partial<Record<ServerName, string[]>>;
  budget: { steps: number; tokens: number };
  maySpawn: PersonaName[];
  /** The system prompt: the file's body after the front matter. */
  prompt: string;
  file: string;
}

/** One thing wrong with a persona file: where (file, path, line) and what. */
export interface PersonaIssue {
  file: string;
  path: string;
  line?: number;
  message: string;
}

export class PersonaLoadError extends Error {
  override name = "PersonaLoadError";
  constructor(readonly issues: PersonaIssue[]) {
    super(
      `invalid personas:\n${issues
        .map(
          (i) => `  ${i.line ? `${i.file}:${i.line}` : i.file}: ${i.path ? `${i.path}: ` : ""}${i.message}`,
        )
        .join("\n")}`,
    );
  }
}

/** What a persona's toolsets are checked against: each server's toolset names. */
export type ToolsetCatalog = Record<ServerName, readonly string[]>;

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

/** Parses one persona file; issues are collected with line numbers (counted from the file's first line). */
export function parsePersona(
  file: string,
  text: string,
  toolsets: ToolsetCatalog,
  issues: PersonaIssue[],
): Persona | undefined {
  const match = FRONT_MATTER.exec(text);
  if (!match) {
    issues.push({ file, path: "", line: 1, message: "must begin with YAML front matter between --- lines" });
    return undefined;
  }
  const [, yamlText = "", body = ""] = match;
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false });
  // The front matter starts on the file's second line.
  const lineOf = (pos: number) => lineCounter.linePos(pos).line + 1;
  if (doc.errors.length > 0) {
    for (const e of doc.errors) issues.push({ file, path: "", line: lineOf(e.pos[0]), message: e.message });
    return undefined;
  }
  const at = (path: PropertyKey[], message: string) => {
    let line: number | undefined;
    for (let n = path.length; n >= 0 && line === undefined; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) line = lineOf(node.range[0]);
    }
    const where = path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`));
    issues.push({ file, path: where.join(""), ...(line ? { line } : {}), message });
  };
  const parsed = PersonaFrontMatter.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) at(issue.path as PropertyKey[], issue.message);
    return undefined;
  }
  const front = parsed.data;
  const before = issues.length;
  if (basename(file, ".md") !== front.name)
    at(["name"], `must match the file name (${basename(file, ".md")})`);
  for (const [server, names] of Object.entries(front.servers) as [ServerName, string[]][])
    names.forEach((toolset, i) => {
      if (!toolsets[server].includes(toolset))
        at(
          ["servers", server, i],
          `${server} has no toolset ${toolset} (it has ${toolsets[server].join(", ")})`,
        );
    });
  if (front.may_spawn.includes(front.name)) at(["may_spawn"], "a persona may not spawn itself");
  if (body.trim().length < 40) at([], "the system prompt after the front matter is missing or too short");
  if (issues.length > before) return undefined;
  return {
    name: front.name,
    title: front.title,
    role: front.role,
    model: front.model,
    servers: front.servers,
    budget: front.budget,
    maySpawn: front.may_spawn,
    prompt: body.trim(),
    file,
  };
}

/** Loads `personas/*.md`, one per persona; every problem is reported at once, with file, path and line. */
export async function loadPersonas(
  dir: string,
  toolsets: ToolsetCatalog,
): Promise<Map<PersonaName, Persona>> {
  const issues: PersonaIssue[] = [];
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith(".md")).sort();
  } catch (cause) {
    throw new PersonaLoadError([
      { file: dir, path: "", message: `cannot read the personas directory: ${(cause as Error).message}` },
    ]);
  }
  const personas = new Map<PersonaName, Persona>();
  for (const file of files) {
    const persona = parsePersona(file, await readFile(join(dir, file), "utf8"), toolsets, issues);
    if (persona) personas.set(persona.name, persona);
  }
  for (const name of PERSONA_NAMES)
    if (!files.includes(`${name}.md`)) issues.push({ file: `${name}.md`, path: "", message: "is missing" });
  if (issues.length > 0) throw new PersonaLoadError(issues);
  return personas;
}
