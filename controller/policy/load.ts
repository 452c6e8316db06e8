import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { isNode, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import {
  ApprovalsFile,
  DatabasesFile,
  LimitsFile,
  ModelsFile,
  NamingFile,
  PERSONAS,
  type PolicySources,
  QuotasFile,
  RolesFile,
} from "./model.ts";

/** One thing wrong with the policies: where (file, path inside it, line) and what. */
export interface PolicyIssue {
  file: string;
  path: string;
  line?: number;
  message: string;
}

export class PolicyLoadError extends Error {
  override name = "PolicyLoadError";
  constructor(readonly issues: PolicyIssue[]) {
    super(`invalid policies:\n${issues.map(formatIssue).join("\n")}`);
  }
}

export function formatIssue(issue: PolicyIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}` : issue.file;
  return `  ${where}: ${issue.path ? `${issue.path}: ` : ""}${issue.message}`;
}

const pathText = (path: readonly PropertyKey[]) =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("");

/** Parses and validates one YAML file, collecting issues with line numbers instead of throwing. */
function parseYaml<T>(
  file: string,
  text: string,
  schema: z.ZodType<T>,
  issues: PolicyIssue[],
): T | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors)
      issues.push({ file, path: "", line: lineCounter.linePos(e.pos[0]).line, message: e.message });
    return undefined;
  }
  const parsed = schema.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const path = issue.path as PropertyKey[];
    // Point at the deepest node that exists (a missing key points at its parent).
    let line: number | undefined;
    for (let n = path.length; n >= 0 && line === undefined; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
    }
    issues.push({ file, path: pathText(path), ...(line ? { line } : {}), message: issue.message });
  }
  return undefined;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/**
 * Loads `policies/`: role templates (`roles/*.yaml`), `limits.yaml`, `quotas.yaml`, `approvals.yaml`,
 * `naming.yaml`, `models.yaml`, `databases.yaml` and any `*.cedar` files. Every problem is reported at once, with file, path and line.
 */
export async function loadPolicySources(dir: string): Promise<PolicySources> {
  const issues: PolicyIssue[] = [];
  let files: string[];
  try {
    files = await listFiles(dir);
  } catch (cause) {
    throw new PolicyLoadError([
      { file: dir, path: "", message: `cannot read the policies directory: ${(cause as Error).message}` },
    ]);
  }
  const read = (file: string) => readFile(join(dir, file), "utf8");
  const single = async <T>(file: string, schema: z.ZodType<T>): Promise<T | undefined> => {
    if (!files.includes(file)) {
      issues.push({ file, path: "", message: "is missing" });
      return undefined;
    }
    return parseYaml(file, await read(file), schema, issues);
  };

  const roleFiles = files.filter((f) => /^roles\/[^/]+\.ya?ml$/.test(f));
  if (roleFiles.length === 0) issues.push({ file: "roles/", path: "", message: "holds no role templates" });
  const roles = (
    await Promise.all(roleFiles.map(async (f) => ({ f, r: parseYaml(f, await read(f), RolesFile, issues) })))
  ).filter((x): x is { f: string; r: RolesFile } => x.r !== undefined);
  const limits = await single("limits.yaml", LimitsFile);
  const quotas = await single("quotas.yaml", QuotasFile);
  const approvals = await single("approvals.yaml", ApprovalsFile);
  const naming = await single("naming.yaml", NamingFile);
  const models = await single("models.yaml", ModelsFile);
  const databases = await single("databases.yaml", DatabasesFile);
  const cedar = await Promise.all(
    files.filter((f) => f.endsWith(".cedar")).map(async (file) => ({ file, text: await read(file) })),
  );

  if (limits && quotas && approvals && naming) crossCheck({ roles, limits, quotas, approvals }, issues);
  if (models) checkModels(models, issues);
  if (issues.length > 0 || !limits || !quotas || !approvals || !naming || !models || !databases)
    throw new PolicyLoadError(issues);
  return {
    roles: roles.map((x) => ({ ...x.r, file: x.f })),
    limits,
    quotas,
    approvals,
    naming,
    models,
    databases,
    cedar,
  };
}

/** Rules that span files: TTL caps, quorum sizes, duplicate servers, quota names, spawnable personas. */
function crossCheck(
  s: {
    roles: { f: string; r: RolesFile }[];
    limits: LimitsFile;
    quotas: QuotasFile;
    approvals: ApprovalsFile;
  },
  issues: PolicyIssue[],
): void {
  const seen = new Map<string, string>();
  const personasWithRoles = new Set<string>();
  for (const { f, r } of s.roles) {
    const earlier = seen.get(r.server);
    if (earlier)
      issues.push({ file: f, path: "server", message: `${r.server} is already described by ${earlier}` });
    seen.set(r.server, f);
    for (const [name, role] of Object.entries(r.roles)) {
      personasWithRoles.add(name);
      if (role.ttl_minutes > s.limits.grants.max_ttl_minutes)
        issues.push({
          file: f,
          path: `roles.${name}.ttl_minutes`,
          message: `${role.ttl_minutes} exceeds the platform cap of ${s.limits.grants.max_ttl_minutes} (limits.yaml grants.max_ttl_minutes)`,
        });
      if (role.approval && role.approval.quorum > role.approval.approvers.length)
        issues.push({
          file: f,
          path: `roles.${name}.approval.quorum`,
          message: "is larger than the number of approver roles",
        });
    }
  }
  for (const { f, r } of s.roles)
    for (const [name, role] of Object.entries(r.roles))
      for (const child of role.may_spawn)
        if (!PERSONAS.includes(child as (typeof PERSONAS)[number]) || !personasWithRoles.has(child))
          issues.push({
            file: f,
            path: `roles.${name}.may_spawn`,
            message: `${child} is not a persona with role templates`,
          });
  s.approvals.rules.forEach((rule, i) => {
    if (rule.quorum > rule.approvers.length)
      issues.push({
        file: "approvals.yaml",
        path: `rules[${i}].quorum`,
        message: "is larger than the number of approver roles",
      });
  });
  const ids = s.approvals.rules.map((r) => r.id);
  for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i)))
    issues.push({ file: "approvals.yaml", path: "rules", message: `rule id ${id} is used more than once` });
  for (const name of Object.keys(s.quotas.consumers))
    if (!(name in s.quotas.defaults))
      issues.push({
        file: "quotas.yaml",
        path: `consumers.${name}`,
        message: `has no default limit in defaults.${name}`,
      });
  for (const [tenant, overrides] of Object.entries(s.quotas.tenants))
    for (const name of Object.keys(overrides))
      if (!(name in s.quotas.defaults))
        issues.push({
          file: "quotas.yaml",
          path: `tenants.${tenant}.${name}`,
          message: "is not a quota named in defaults",
        });
}

/** Every model a persona may call has a price, so every call's cost can be computed. */
function checkModels(models: ModelsFile, issues: PolicyIssue[]): void {
  for (const [persona, entry] of Object.entries(models.personas))
    entry.models.forEach((model, i) => {
      if (!(model in models.models))
        issues.push({
          file: "models.yaml",
          path: `personas.${persona}.models[${i}]`,
          message: `${model} has no price under models`,
        });
    });
}
