import { describe, expect, it } from "vitest";
import { z } from "zod";
import { mcpServers } from "./catalog.ts";
import { listedTool } from "./shared/server.ts";
import type { ToolDefinition } from "./shared/tool.ts";

const servers = Object.values(mcpServers({ githubPaced: false }));
const HINTS = ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const;

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
};
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The wrappers (optional, default, nullable, a pipe's input) down to the schema they wrap. */
function layers(schema: z.ZodType): z.ZodType[] {
  const all = [schema];
  for (let current = defOf(schema); all.length < 8; current = defOf(all.at(-1) as z.ZodType)) {
    const next = current.innerType ?? (current.type === "pipe" ? current.in : undefined);
    if (!next) break;
    all.push(next);
  }
  return all;
}

/** Fields of an object schema, at any depth (through arrays and unions), that nothing describes. */
function undescribed(object: z.ZodObject, prefix = ""): string[] {
  return Object.entries(object.shape).flatMap(([key, field]) => {
    const path = `${prefix}${key}`;
    const wrapped = layers(field as z.ZodType);
    const own = wrapped.some((s) => s.description) ? [] : [path];
    return [...own, ...nested(wrapped.at(-1) as z.ZodType, path)];
  });
}

function nested(core: z.ZodType, path: string): string[] {
  if (core instanceof z.ZodObject) return undescribed(core, `${path}.`);
  const def = defOf(core);
  if (def.type === "array" && def.element)
    return nested(layers(def.element).at(-1) as z.ZodType, `${path}[]`);
  if (def.type === "union" && def.options)
    return def.options.flatMap((option) => nested(layers(option).at(-1) as z.ZodType, path));
  return [];
}

/**
 * The schema at a dotted output path (`items[].body`, `settings.*`), or undefined when the path leads
 * nowhere. Past a record's `unknown` values (a plan's changes) any path may be there.
 */
function schemaAt(schema: z.ZodType, path: string): z.ZodType | undefined {
  let at: z.ZodType | undefined = schema;
  const steps = path.split(".").flatMap((part) => part.split(/(?=\[\])/));
  for (const step of steps) {
    const here: z.ZodType | undefined = at && (layers(at).at(-1) as z.ZodType);
    const def: (Def & { shape?: Record<string, z.ZodType>; valueType?: z.ZodType }) | undefined =
      here && defOf(here);
    if (!def || def.type === "unknown") return here;
    if (def.type === "union") {
      // A path into a union reaches whichever option has it (a file written or deleted).
      at = (def as unknown as { options: z.ZodType[] }).options.map((o) => schemaAt(o, step)).find(Boolean);
      continue;
    }
    if (step === "[]") at = def.type === "array" ? def.element : undefined;
    else if (def.type === "record") at = def.valueType;
    else if (def.type === "object" && step !== "*") at = def.shape?.[step];
    else return undefined;
  }
  return at && (layers(at).at(-1) as z.ZodType);
}

describe.each(servers.map((s) => [s.name, s] as const))("the %s server's tools", (_name, server) => {
  const tools = server.tools as readonly ToolDefinition<unknown>[];

  it("are named <area>_<verb>_<noun> (blueprints: plan_/apply_), once each", () => {
    const names = tools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    const misnamed = names.filter(
      (n) => !/^[a-z]+(_[a-z0-9]+){2,}$/.test(n) && !/^(plan|apply)_[a-z_]+$/.test(n),
    );
    expect(misnamed).toEqual([]);
  });

  it("set a title, a description, a known toolset and all four hints explicitly", () => {
    for (const tool of tools) {
      expect(tool.title.length, tool.name).toBeGreaterThan(3);
      expect(tool.description.length, tool.name).toBeGreaterThan(10);
      expect(Object.keys(server.toolsets), tool.name).toContain(tool.toolset);
      for (const hint of HINTS) expect(typeof tool.hints[hint], `${tool.name}.${hint}`).toBe("boolean");
      if (tool.hints.readOnlyHint) expect(tool.hints.destructiveHint, tool.name).toBe(false);
      const listed = listedTool(tool);
      expect(listed.annotations, tool.name).toEqual({ title: tool.title, ...tool.hints });
    }
  });

  it("describe every input field for the model", () => {
    const missing = tools.flatMap((tool) => undescribed(tool.input).map((f) => `${tool.name}.${f}`));
    expect(missing).toEqual([]);
  });

  it("declare an object output schema, and writes answer done-or-pending", () => {
    for (const tool of tools) {
      expect(tool.output, tool.name).toBeInstanceOf(z.ZodObject);
      const listed = listedTool(tool);
      expect(listed.outputSchema?.type, tool.name).toBe("object");
      expect(listed.inputSchema.type, tool.name).toBe("object");
      if (!tool.hints.readOnlyHint)
        expect(Object.keys((listed.inputSchema.properties ?? {}) as object), tool.name).toContain(
          "approvalId",
        );
    }
  });

  it("mark only strings of the output untrusted, and only input fields sensitive", () => {
    for (const tool of tools) {
      for (const path of tool.untrusted ?? [])
        expect(schemaAt(tool.output, path)?.def.type, `${tool.name} ${path}`).toMatch(/^(string|unknown)$/);
      for (const path of tool.sensitive ?? [])
        expect(schemaAt(tool.input, path), `${tool.name} ${path}`).toBeDefined();
    }
  });

  it("every toolset holds at least one tool", () => {
    for (const toolset of Object.keys(server.toolsets))
      expect(
        tools.some((t) => t.toolset === toolset),
        toolset,
      ).toBe(true);
  });
});
