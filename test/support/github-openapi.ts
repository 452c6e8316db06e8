import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import type { Exchange } from "./github-sandbox.ts";

type Json = Record<string, unknown>;

/** GitHub's official OpenAPI description of api.github.com (npm @octokit/openapi), read once. */
const spec = JSON.parse(
  readFileSync(
    createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json"),
    "utf8",
  ),
) as { paths: Record<string, Record<string, Json>> };

/**
 * OpenAPI 3.0's `nullable` (which GitHub also puts beside `$ref` and `allOf`, where Ajv refuses it) as JSON
 * Schema says it: the schema, or null.
 */
function nullableToAnyOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableToAnyOf);
  if (node === null || typeof node !== "object") return node;
  const { nullable, ...rest } = node as Json;
  const converted = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, nullableToAnyOf(v)]));
  return nullable === true ? { anyOf: [converted, { type: "null" }] } : converted;
}
spec.paths = nullableToAnyOf(spec.paths) as typeof spec.paths;
(spec as unknown as Json).components = nullableToAnyOf((spec as unknown as Json).components);

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ strict: false, validateSchema: false, allErrors: true }));
ajv.addSchema(spec, "github");

const pointer = (...tokens: string[]) =>
  tokens.map((t) => encodeURIComponent(t.replaceAll("~", "~0").replaceAll("/", "~1"))).join("/");

/** Follows `$ref`s between responses and request bodies (the schemas inside are Ajv's to resolve). */
function deref(node: Json | undefined): Json | undefined {
  let current = node;
  while (current && typeof current.$ref === "string") {
    const path = (current.$ref as string).replace(/^#\//, "").split("/");
    current = path.reduce<unknown>(
      (at, token) => (at as Json)?.[token.replaceAll("~1", "/").replaceAll("~0", "~")],
      spec,
    ) as Json | undefined;
  }
  return current;
}

const templates = Object.keys(spec.paths).map((template) => ({
  template,
  literal: template.split("/").filter((s) => !s.startsWith("{")).length,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
}));

/** The documented path template an actual request path matches (the most specific one). */
export function operationOf(method: string, path: string): { template: string; operation: Json } | undefined {
  const matches = templates
    .filter((t) => t.pattern.test(path) && spec.paths[t.template]?.[method.toLowerCase()])
    .sort((a, b) => b.literal - a.literal);
  const best = matches[0];
  return best
    ? { template: best.template, operation: spec.paths[best.template]?.[method.toLowerCase()] as Json }
    : undefined;
}

const compiled = new Map<string, ValidateFunction | undefined>();
function validator(...tokens: string[]): ValidateFunction | undefined {
  const key = pointer(...tokens);
  if (!compiled.has(key)) compiled.set(key, ajv.getSchema(`github#/${key}`));
  return compiled.get(key);
}

const describeErrors = (v: ValidateFunction) =>
  (v.errors ?? [])
    .slice(0, 5)
    .map(
      (e) =>
        `${e.instancePath || "(body)"} ${e.message}${e.params && "missingProperty" in e.params ? "" : ""}`,
    )
    .join("; ");

/**
 * Checks one exchange against GitHub's description: the operation exists, the request body fits its
 * schema, the status is documented, and a JSON response fits the schema for that status. Returns the
 * problems found (none when it conforms).
 */
export function contractProblems(x: Exchange): string[] {
  const where = `${x.method} ${x.path} → ${x.status}`;
  const found = operationOf(x.method, x.path);
  if (!found) return [`${where}: no such operation in GitHub's OpenAPI description`];
  const { template, operation } = found;
  const method = x.method.toLowerCase();
  const problems: string[] = [];
  const requestBody = deref(operation.requestBody as Json | undefined);
  if (x.requestBody && requestBody?.content) {
    const schemaPath = (requestBody as Json).$ref
      ? undefined
      : ["paths", template, method, "requestBody", "content", "application/json", "schema"];
    const validate = schemaPath ? validator(...schemaPath) : undefined;
    if (validate && !validate(JSON.parse(x.requestBody)))
      problems.push(`${where}: request body: ${describeErrors(validate)}`);
  }
  const responses = operation.responses as Json;
  const documented = responses[String(x.status)] ?? responses.default;
  // GitHub answers 404 wherever something is missing or hidden, documented or not: a basic-error body.
  if (!documented && x.status === 404) {
    const validate = validator("components", "schemas", "basic-error");
    if (validate && !validate(JSON.parse(x.responseBody)))
      problems.push(`${where}: 404 body: ${describeErrors(validate)}`);
    return problems;
  }
  if (!documented)
    return [
      ...problems,
      `${where}: status ${x.status} is not documented for ${method.toUpperCase()} ${template}`,
    ];
  const response = deref(documented as Json);
  const content = (response?.content as Json | undefined)?.["application/json"] as Json | undefined;
  if (content?.schema && x.responseBody) {
    const responseRef = (documented as Json).$ref as string | undefined;
    const tokens = responseRef
      ? [
          ...responseRef
            .replace(/^#\//, "")
            .split("/")
            .map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~")),
          "content",
          "application/json",
          "schema",
        ]
      : [
          "paths",
          template,
          method,
          "responses",
          responses[String(x.status)] ? String(x.status) : "default",
          "content",
          "application/json",
          "schema",
        ];
    const validate = validator(...tokens);
    if (validate && !validate(JSON.parse(x.responseBody)))
      problems.push(`${where}: response: ${describeErrors(validate)}`);
  }
  return problems;
}
