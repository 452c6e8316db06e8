import { validate } from "@cedar-policy/cedar-wasm/nodejs";
import { type CompiledPolicies, compilePolicies } from "./compile.ts";
import { PolicyEngine } from "./engine.ts";
import { loadPolicySources, type PolicyIssue, PolicyLoadError } from "./load.ts";
import type { PolicySources } from "./model.ts";

export interface LoadedPolicies {
  sources: PolicySources;
  compiled: CompiledPolicies;
  engine: PolicyEngine;
}

/** Type-checks every policy (compiled and hand-written) against the Cedar schema. */
export function validatePolicies(compiled: CompiledPolicies): PolicyIssue[] {
  const answer = validate({
    schema: compiled.schema,
    policies: { staticPolicies: compiled.policies },
    validationSettings: { mode: "strict" },
  });
  if (answer.type === "failure")
    return answer.errors.map((e) => ({ file: "schema", path: "", message: e.message }));
  return answer.validationErrors.map((v) => ({
    file: compiled.meta[v.policyId]?.source ?? "unknown",
    path: v.policyId,
    message: v.error.message,
  }));
}

/** Loads, compiles and validates `policies/`, then prepares the engine; throws PolicyLoadError listing every issue. */
export async function loadPolicies(dir: string): Promise<LoadedPolicies> {
  const sources = await loadPolicySources(dir);
  const { compiled, issues } = compilePolicies(sources);
  if (issues.length === 0) issues.push(...validatePolicies(compiled));
  if (issues.length > 0) throw new PolicyLoadError(issues);
  return { sources, compiled, engine: new PolicyEngine(compiled) };
}
