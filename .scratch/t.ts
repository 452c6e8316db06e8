import { z } from "zod";
import { wireTool } from "../mcp-servers/shared/wire.ts";
import { HINTS, defineTool } from "../mcp-servers/shared/tool.ts";
const t = defineTool({ name: "x_create_y", title: "t", description: "d", toolset: "x", hints: HINTS.add, input: z.object({ a: z.string().describe("a") }), output: z.object({ b: z.number() }), resource: () => ({ kind: "k", name: "n" }), run: async () => ({ b: 1 }) });
const w = wireTool(t); console.log(JSON.stringify({i: w.inputSchema, o: w.outputSchema}));
