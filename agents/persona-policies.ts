import type { Persona, PersonaIssue } from "./personas.ts";

/** The parts of the loaded policies a persona is checked against (role templates and model allowlists). */
export interface PersonaPolicyView {
  roles: { server: string; file: string; roles: Record<string, { may_spawn?: string[] }> }[];
  models: { file?: string; personas: Record<string, { models: string[] } | undefined> };
}

/**
 * What a persona asks for that the policies do not give it: a server with no role template for its role (the
 * AI server is always needed, for metering), a child its AI template may not spawn, a model off its allowlist.
 */
export function checkPersonasAgainstPolicies(
  personas: Iterable<Persona>,
  policies: PersonaPolicyView,
): PersonaIssue[] {
  const issues: PersonaIssue[] = [];
  for (const persona of personas) {
    const issue = (path: string, message: string) => issues.push({ file: persona.file, path, message });
    const servers = new Set([...Object.keys(persona.servers), "ai"]);
    for (const server of servers) {
      const file = policies.roles.find((r) => r.server === server);
      if (!file?.roles[persona.role])
        issue(`servers.${server}`, `there is no role template ${server}/${persona.role} in policies/roles`);
    }
    const allowed = policies.roles.find((r) => r.server === "ai")?.roles[persona.role]?.may_spawn ?? [];
    for (const child of persona.maySpawn)
      if (!allowed.includes(child))
        issue(
          "may_spawn",
          `role template ai/${persona.role} may not spawn ${child} (policies/roles/ai.yaml)`,
        );
    const models = policies.models.personas[persona.name]?.models ?? [];
    if (!models.includes(persona.model))
      issue("model", `${persona.model} is not on ${persona.name}'s allowlist in policies/models.yaml`);
  }
  return issues;
}
