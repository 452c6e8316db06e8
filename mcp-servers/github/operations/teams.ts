import { z } from "zod";
import { hasStatus, operation } from "../operation.ts";
import { Org, RepoName } from "./fields.ts";

const TeamSlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, "must be a team slug (lowercase, digits, -)")
  .describe("the team's slug");
const Login = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "must be a GitHub login")
  .describe("a GitHub user login");
export const RepoPermission = z
  .enum(["pull", "triage", "push", "maintain", "admin"])
  .describe("the team's role on the repository");

export interface TeamInfo {
  id: number;
  slug: string;
  name: string;
  description: string | null;
  privacy: string;
}

const toTeam = (t: {
  id: number;
  slug: string;
  name: string;
  description: string | null;
  privacy?: string;
}): TeamInfo => ({
  id: t.id,
  slug: t.slug,
  name: t.name,
  description: t.description,
  privacy: t.privacy ?? "closed",
});

export const teamOperations = {
  teams_create_team: operation({
    name: "teams_create_team",
    summary: "Create a team in an organisation",
    write: true,
    input: z.object({
      owner: Org,
      name: z.string().min(1).max(255).describe("the team's display name; its slug is derived from it"),
      description: z.string().max(1000).optional().describe("what the team is for"),
      privacy: z.enum(["closed", "secret"]).default("closed").describe("closed: visible to all members"),
    }),
    resource: (i) => `${i.owner}/teams/${i.name}`,
    run: async (client, i) =>
      toTeam(
        (
          await client.rest.teams.create({
            org: i.owner,
            name: i.name,
            privacy: i.privacy,
            ...(i.description !== undefined ? { description: i.description } : {}),
          })
        ).data,
      ),
  }),

  teams_get_team: operation({
    name: "teams_get_team",
    summary: "Get a team by slug, or null when there is none",
    write: false,
    input: z.object({ owner: Org, team: TeamSlug }),
    resource: (i) => `${i.owner}/teams/${i.team}`,
    run: async (client, i) => {
      try {
        return toTeam((await client.rest.teams.getByName({ org: i.owner, team_slug: i.team })).data);
      } catch (error) {
        if (hasStatus(error, 404)) return null;
        throw error;
      }
    },
  }),

  teams_list_teams: operation({
    name: "teams_list_teams",
    summary: "List an organisation's teams",
    write: false,
    input: z.object({ owner: Org }),
    resource: (i) => `${i.owner}/teams`,
    run: async (client, i) =>
      (await client.paginate(client.rest.teams.list, { org: i.owner, per_page: 100 })).map(toTeam),
  }),

  teams_add_member: operation({
    name: "teams_add_member",
    summary: "Add a user to a team (pending until they join the organisation)",
    write: true,
    input: z.object({
      owner: Org,
      team: TeamSlug,
      user: Login,
      role: z
        .enum(["member", "maintainer"])
        .default("member")
        .describe("maintainers can manage the team's members and settings"),
    }),
    resource: (i) => `${i.owner}/teams/${i.team}/${i.user}`,
    run: async (client, i) => {
      const { data } = await client.rest.teams.addOrUpdateMembershipForUserInOrg({
        org: i.owner,
        team_slug: i.team,
        username: i.user,
        role: i.role,
      });
      return { user: i.user, role: data.role, state: data.state };
    },
  }),

  teams_remove_member: operation({
    name: "teams_remove_member",
    summary: "Remove a user from a team; one not in it is left alone",
    write: true,
    input: z.object({ owner: Org, team: TeamSlug, user: Login }),
    resource: (i) => `${i.owner}/teams/${i.team}/${i.user}`,
    run: async (client, i) => {
      try {
        await client.rest.teams.removeMembershipForUserInOrg({
          org: i.owner,
          team_slug: i.team,
          username: i.user,
        });
        return { user: i.user, removed: true };
      } catch (error) {
        if (hasStatus(error, 404)) return { user: i.user, removed: false };
        throw error;
      }
    },
  }),

  teams_get_membership: operation({
    name: "teams_get_membership",
    summary: "A user's membership of a team (active or pending), or null when they are not in it",
    write: false,
    input: z.object({ owner: Org, team: TeamSlug, user: Login }),
    resource: (i) => `${i.owner}/teams/${i.team}/${i.user}`,
    run: async (client, i) => {
      try {
        const { data } = await client.rest.teams.getMembershipForUserInOrg({
          org: i.owner,
          team_slug: i.team,
          username: i.user,
        });
        return { user: i.user, role: data.role, state: data.state };
      } catch (error) {
        if (hasStatus(error, 404)) return null;
        throw error;
      }
    },
  }),

  teams_list_members: operation({
    name: "teams_list_members",
    summary: "List a team's active members",
    write: false,
    input: z.object({ owner: Org, team: TeamSlug }),
    resource: (i) => `${i.owner}/teams/${i.team}`,
    run: async (client, i) =>
      (
        await client.paginate(client.rest.teams.listMembersInOrg, {
          org: i.owner,
          team_slug: i.team,
          per_page: 100,
        })
      ).map((u) => u.login),
  }),

  teams_set_repo_permission: operation({
    name: "teams_set_repo_permission",
    summary: "Give a team a role on a repository",
    write: true,
    input: z.object({ owner: Org, team: TeamSlug, repo: RepoName, permission: RepoPermission }),
    resource: (i) => `${i.owner}/teams/${i.team} -> ${i.owner}/${i.repo}`,
    run: async (client, i) => {
      await client.rest.teams.addOrUpdateRepoPermissionsInOrg({
        org: i.owner,
        team_slug: i.team,
        owner: i.owner,
        repo: i.repo,
        permission: i.permission,
      });
      return { team: i.team, repo: i.repo, permission: i.permission };
    },
  }),

  teams_list_repo_permissions: operation({
    name: "teams_list_repo_permissions",
    summary: "List the repositories a team has a role on, with the role",
    write: false,
    input: z.object({ owner: Org, team: TeamSlug }),
    resource: (i) => `${i.owner}/teams/${i.team}`,
    run: async (client, i) =>
      (
        await client.paginate(client.rest.teams.listReposInOrg, {
          org: i.owner,
          team_slug: i.team,
          per_page: 100,
        })
      ).map((r) => ({
        repo: r.name,
        permission: (r.role_name ?? "pull") as z.output<typeof RepoPermission>,
      })),
  }),

  orgs_create_invitation: operation({
    name: "orgs_create_invitation",
    summary: "Invite someone to the organisation by email or login, optionally into teams",
    write: true,
    input: z
      .object({
        owner: Org,
        email: z.email().optional().describe("invite by email address"),
        user: Login.optional().describe("or invite an existing GitHub user by login"),
        role: z
          .enum(["direct_member", "admin"])
          .default("direct_member")
          .describe("the invitee's role in the organisation"),
        teams: z.array(TeamSlug).default([]).describe("teams the invitee joins on accepting"),
      })
      .refine((i) => (i.email === undefined) !== (i.user === undefined), "give exactly one of email or user"),
    resource: (i) => `${i.owner}/invitations/${i.email ?? i.user}`,
    run: async (client, i) => {
      const inviteeId = i.user
        ? (await client.rest.users.getByUsername({ username: i.user })).data.id
        : undefined;
      const teamIds = await Promise.all(
        i.teams.map(
          async (slug) => (await client.rest.teams.getByName({ org: i.owner, team_slug: slug })).data.id,
        ),
      );
      const { data } = await client.rest.orgs.createInvitation({
        org: i.owner,
        role: i.role,
        team_ids: teamIds,
        ...(i.email ? { email: i.email } : {}),
        ...(inviteeId !== undefined ? { invitee_id: inviteeId } : {}),
      });
      return { id: data.id, email: data.email ?? null, login: data.login ?? null, role: data.role };
    },
  }),

  orgs_list_invitations: operation({
    name: "orgs_list_invitations",
    summary: "List pending organisation invitations",
    write: false,
    input: z.object({ owner: Org }),
    resource: (i) => `${i.owner}/invitations`,
    run: async (client, i) =>
      (await client.paginate(client.rest.orgs.listPendingInvitations, { org: i.owner, per_page: 100 })).map(
        (v) => ({
          id: v.id,
          email: v.email ?? null,
          login: v.login ?? null,
          role: v.role,
        }),
      ),
  }),
};
