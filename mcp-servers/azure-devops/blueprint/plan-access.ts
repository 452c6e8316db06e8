import type { AzureDevOpsBlueprint } from "./blueprint.ts";
import type { AdoPlanner } from "./planner.ts";

/** Which project group each persona's people join: founder, dev and sec by Azure DevOps' built-in groups. */
const personaGroups = (b: AzureDevOpsBlueprint): [string, string[]][] => [
  ["Project Administrators", b.team.founder],
  ["Contributors", b.team.dev],
  ["Readers", b.team.sec],
  [b.reportingGroup, b.team.finance],
];

/** The reporting group, each persona's memberships, and the blueprint's explicit permissions. */
export async function planAccess(
  p: AdoPlanner,
  b: AzureDevOpsBlueprint,
  projectExists: boolean,
): Promise<void> {
  const groups = projectExists
    ? new Set(
        (await p.factory.call("security_list_groups", { project: b.project })).map((g) =>
          g.name.toLowerCase(),
        ),
      )
    : new Set<string>();
  const reporting = groups.has(b.reportingGroup.toLowerCase());
  p.settle(
    `${b.project}/groups/${b.reportingGroup}`,
    reporting,
    reporting
      ? undefined
      : {
          tool: "security_create_group",
          input: { project: b.project, name: b.reportingGroup, description: "Budgets and reports: finance" },
          changes: { group: [null, b.reportingGroup] },
          calls: 4,
        },
  );
  for (const [group, people] of personaGroups(b)) {
    if (people.length === 0) continue;
    const members = groups.has(group.toLowerCase())
      ? new Set(
          (await p.factory.call("security_list_members", { project: b.project, group })).map((m) =>
            m.name.toLowerCase(),
          ),
        )
      : new Set<string>();
    for (const member of people)
      p.settle(
        `${b.project}/groups/${group}/members/${member}`,
        false,
        members.has(member.toLowerCase())
          ? undefined
          : {
              tool: "security_add_member",
              input: { project: b.project, group, member },
              changes: { member: [null, member] },
              calls: 6,
            },
      );
  }
  for (const entry of b.permissions) {
    const where = `${b.project}/${entry.on}/${entry.name ?? "*"}/permissions/${entry.group}`;
    const current = groups.has(entry.group.toLowerCase())
      ? await p.factory
          .call("security_get_permissions", {
            project: b.project,
            group: entry.group,
            on: entry.on,
            ...(entry.name ? { name: entry.name } : {}),
          })
          .catch((error: { status?: number }) => {
            // The repository or pipeline does not exist yet: it is planned above, so its permissions are new.
            if (error.status === 404) return null;
            throw error;
          })
      : null;
    const missing = {
      allow: entry.allow.filter((a) => !current?.allow.includes(a)),
      deny: entry.deny.filter((d) => !current?.deny.includes(d)),
    };
    p.settle(
      where,
      current !== null,
      p.when(Object.fromEntries(Object.entries(missing).filter(([, names]) => names.length > 0)), {
        tool: "security_set_permissions",
        input: { project: b.project, ...entry },
        calls: 6,
      }),
    );
  }
}
