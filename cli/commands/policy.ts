import { resolve } from "node:path";
import type { Command } from "commander";
import { loadAgentConfig } from "../../agents/config.ts";
import { checkPersonasAgainstPolicies } from "../../agents/persona-policies.ts";
import { loadPersonas, PersonaLoadError } from "../../agents/personas.ts";
import { loadConfig } from "../../controller/config.ts";
import { loadPolicies } from "../../controller/policy/policies.ts";
import type { DecisionRequest } from "../../controller/policy/request.ts";
import { toolsets } from "../../mcp-servers/catalog.ts";
import { CliError, EXIT, emit } from "../output.ts";

const policiesDir = (dir?: string) => (dir ? resolve(dir) : loadConfig().policiesDir);

/** `server:kind:name`, e.g. github:repository:acme-api. */
function parseResource(text: string): DecisionRequest["resource"] {
  const [server, kind, ...rest] = text.split(":");
  const name = rest.join(":");
  if (!server || !kind || !name)
    throw new CliError(
      `--resource ${JSON.stringify(text)} must look like server:kind:name, e.g. github:repository:acme-api`,
    );
  return { server: server as DecisionRequest["resource"]["server"], kind, name };
}

/** `repos=3,agents=2` */
function parseUsage(text: string): Record<string, number> {
  return Object.fromEntries(
    text.split(",").map((pair) => {
      const [k, v] = pair.split("=");
      if (!k || v === undefined || !/^\d+$/.test(v))
        throw new CliError(`--usage ${JSON.stringify(pair)} must be quota=count`);
      return [k, Number(v)];
    }),
  );
}

export function registerPolicy(program: Command): void {
  const policy = program.command("policy").description("Validate the policies and explain decisions.");

  policy
    .command("check")
    .description(
      "Load, compile and type-check every policy file, and check the personas against them; list each problem with its file, path and line.",
    )
    .option("--dir <dir>", "policies directory (default: FACTORY_POLICIES_DIR or the bundled policies/)")
    .option("--personas <dir>", "personas directory (default: FACTORY_PERSONAS_DIR or the bundled personas/)")
    .option("--json", "print the summary as JSON")
    .addHelpText("after", "\nExit codes: 0 valid, 2 invalid (each issue is printed).")
    .action(async (opts: { dir?: string; personas?: string; json?: boolean }) => {
      const { sources, compiled } = await loadPolicies(policiesDir(opts.dir));
      const personas = await loadPersonas(
        opts.personas ? resolve(opts.personas) : loadAgentConfig().personasDir,
        toolsets(),
      );
      const issues = checkPersonasAgainstPolicies(personas.values(), sources);
      if (issues.length > 0) throw new PersonaLoadError(issues);
      const roles = Object.fromEntries(sources.roles.map((f) => [f.server, Object.keys(f.roles)]));
      const summary = {
        ok: true,
        roles,
        policies: Object.keys(compiled.policies).length,
        approvalRules: sources.approvals.rules.map((r) => r.id),
        namingRules: sources.naming.rules.map((r) => r.id),
        quotas: sources.quotas.defaults,
        cedarFiles: sources.cedar.map((c) => c.file),
        personas: [...personas.keys()],
      };
      emit(Boolean(opts.json), summary, () =>
        [
          `policies valid: ${summary.policies} Cedar policies compiled and type-checked`,
          ...Object.entries(roles).map(([server, names]) => `  ${server}: ${names.join(", ")}`),
          `  approval rules: ${summary.approvalRules.join(", ")}`,
          `  naming rules: ${summary.namingRules.join(", ")}`,
          `  quotas: ${Object.entries(summary.quotas)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")}`,
          `  hand-written: ${summary.cedarFiles.join(", ") || "none"}`,
          `  personas: ${summary.personas.join(", ")}`,
        ].join("\n"),
      );
    });

  policy
    .command("explain")
    .description("May persona X in tenant Y call tool Z on resource R, and why?")
    .requiredOption("--tenant <id>", "tenant id, e.g. acme")
    .requiredOption("--persona <name>", "persona: founder, dev, ops, sec, finance")
    .option("--role <name>", "role template (default: the persona's own)")
    .option("--action <action>", "call_tool, spawn_agent, widen_policy or break_glass", "call_tool")
    .option("--tool <name>", "tool name, e.g. repos_create_repository (for call_tool)")
    .requiredOption("--resource <server:kind:name>", "e.g. github:repository:acme-api")
    .option("--child <persona>", "persona to spawn (for spawn_agent)")
    .option("--usage <quota=n,...>", "the tenant's current quota usage, e.g. repos=24")
    .option("--approved", "explain the decision once the call has been approved")
    .option("--dir <dir>", "policies directory")
    .option("--json", "print the decision as JSON")
    .addHelpText(
      "after",
      "\nExit codes: 0 allow, 1 deny, 3 needs approval, 2 bad input.\nExample: factory policy explain --tenant acme --persona dev --tool contents_commit_files --resource github:repository:acme-api",
    )
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const { engine } = await loadPolicies(policiesDir(opts.dir as string | undefined));
      const request: DecisionRequest = {
        principal: {
          tenant: String(opts.tenant),
          persona: String(opts.persona),
          role: String(opts.role ?? opts.persona),
        },
        action: opts.action as DecisionRequest["action"],
        resource: parseResource(String(opts.resource)),
        context: {
          ...(opts.tool ? { tool: String(opts.tool) } : {}),
          ...(opts.child ? { childPersona: String(opts.child) } : {}),
          ...(opts.usage ? { usage: parseUsage(String(opts.usage)) } : {}),
          approved: Boolean(opts.approved),
        },
      };
      const decision = engine.decide(request);
      emit(Boolean(opts.json), decision, () =>
        [
          `${decision.effect.toUpperCase()}`,
          ...decision.policies.map((id, i) => `  ${id}: ${decision.reasons[i]}`),
          ...(decision.approval
            ? [
                `  approval: ${decision.approval.quorum} of ${decision.approval.approvers.join(", ")} (rules: ${decision.approval.rules.join(", ")})`,
              ]
            : []),
        ].join("\n"),
      );
      process.exitCode =
        decision.effect === "allow" ? EXIT.ok : decision.effect === "deny" ? EXIT.failed : EXIT.needsApproval;
    });
}
