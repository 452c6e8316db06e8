import { differs } from "../../shared/planner.ts";
import type { GitHubBlueprint, TeamBlueprint } from "./blueprint.ts";
import type { GitHubPlanner } from "./planner.ts";

export const teamSlug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");

/** A team and its members; returns whether it exists, for its repository roles planned later. */
export async function planTeam(p: GitHubPlanner, owner: string, team: TeamBlueprint): Promise<boolean> {
  const slug = teamSlug(team.name);
  const where = `${owner}/teams/${slug}`;
  const current = await p.factory.call("teams_get_team", { owner, team: slug });
  p.settle(
    where,
    false,
    current
      ? undefined
      : {
          tool: "teams_create_team",
          input: {
            owner,
            name: team.name,
            privacy: team.privacy,
            ...(team.description ? { description: team.description } : {}),
          },
          changes: { name: [null, team.name] },
          calls: 1,
        },
  );
  for (const member of team.members) {
    const ref = { owner, team: slug, user: member.user };
    const now = current ? await p.factory.call("teams_get_membership", ref) : null;
    p.settle(
      `${where}/${member.user}`,
      now !== null,
      p.when(differs(now, { role: member.role }), {
        tool: "teams_add_member",
        input: { ...ref, role: member.role },
        calls: 1,
      }),
    );
  }
  return current !== null;
}

/** A team's roles on repositories (after the repositories are planned: they may not exist yet). */
export async function planTeamRepoRoles(
  p: GitHubPlanner,
  owner: string,
  team: TeamBlueprint,
  exists: boolean,
): Promise<void> {
  const slug = teamSlug(team.name);
  const roles = new Map(
    exists
      ? (await p.factory.call("teams_list_repo_permissions", { owner, team: slug })).map((r) => [
          r.repo.toLowerCase(),
          r.permission,
        ])
      : [],
  );
  for (const link of team.repos) {
    const now = roles.get(link.repo.toLowerCase());
    p.settle(
      `${owner}/teams/${slug} -> ${owner}/${link.repo}`,
      now !== undefined,
      p.when(differs({ permission: now }, { permission: link.permission }), {
        tool: "teams_set_repo_permission",
        input: { owner, team: slug, repo: link.repo, permission: link.permission },
        calls: 1,
      }),
    );
  }
}

/** Organisation secrets: created when missing, left alone when present. */
export async function planOrgSecrets(p: GitHubPlanner, blueprint: GitHubBlueprint): Promise<void> {
  if (blueprint.orgSecrets.length === 0) return;
  const present = new Set(
    (await p.factory.call("secrets_list_secrets", { owner: blueprint.org })).map((s) => s.name),
  );
  for (const secret of blueprint.orgSecrets)
    p.settle(
      `${blueprint.org}/secrets/${secret.name}`,
      false,
      present.has(secret.name)
        ? undefined
        : {
            tool: "secrets_set_secret",
            input: { owner: blueprint.org, name: secret.name, visibility: secret.visibility },
            secretRefs: [{ path: ["value"], ref: secret.ref }],
            changes: { ref: [null, secret.ref] },
            calls: 2,
          },
    );
}
