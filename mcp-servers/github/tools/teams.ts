import { z } from "zod";
import { HINTS } from "../../shared/tool.ts";
import { teamSlug } from "../blueprint/plan-team.ts";
import { RepoPermission } from "../operations/teams.ts";
import { CREATE_ONCE, items, operationTool, organization, repository, team } from "./context.ts";

const Team = z.strictObject({
  id: z.number().int(),
  slug: z.string().describe("what other tools call the team by"),
  name: z.string().describe("the display name, untrusted"),
  description: z.string().nullable().describe("untrusted"),
  privacy: z.string().describe("closed (visible to members) or secret"),
});
const Membership = z.strictObject({
  user: z.string(),
  role: z.enum(["member", "maintainer"]),
  state: z.enum(["active", "pending"]).describe("pending until the user joins the organisation"),
});
const Invitation = z.strictObject({
  id: z.number().int(),
  email: z.string().nullable(),
  login: z.string().nullable(),
  role: z.string().describe("the role the invitee gets in the organisation"),
});
const TEAM_TEXT = ["name", "description"];

/** Teams, their members and repository roles, and organisation invitations. */
export const teamTools = [
  operationTool("teams_create_team", {
    title: "Create a team",
    use: "Use it to group people who get the same roles on repositories; name it with the tenant's prefix (acme-developers). Its slug is the name in lowercase with hyphens; a second call with the same name is refused.",
    toolset: "teams",
    hints: CREATE_ONCE,
    output: Team,
    // The slug GitHub derives from the name: what every later call (and policy) names the team by.
    resource: (i) => team(teamSlug(i.name)),
    untrusted: TEAM_TEXT,
    result: (t) => t,
  }),
  operationTool("teams_get_team", {
    title: "Get a team",
    use: "Use it to check whether a team exists (team is null when it does not) before creating it or adding members.",
    toolset: "teams",
    hints: HINTS.read,
    output: z.strictObject({ team: Team.nullable() }),
    resource: (i) => team(i.team),
    untrusted: ["team.name", "team.description"],
    result: (t) => ({ team: t }),
  }),
  operationTool("teams_list_teams", {
    title: "List teams",
    use: "Use it to see the organisation's teams and their slugs.",
    toolset: "teams",
    hints: HINTS.read,
    output: z.strictObject({ items: z.array(Team) }),
    resource: organization,
    untrusted: ["items[].name", "items[].description"],
    result: items,
  }),
  operationTool("teams_add_member", {
    title: "Add a team member",
    use: "Use it to put someone in a team, or to change their role in it (the role you give replaces theirs). Someone outside the organisation stays pending until they accept an invitation.",
    toolset: "teams",
    // Overwrites the role of someone already in the team: a maintainer can become a member.
    hints: HINTS.update,
    output: Membership,
    resource: (i) => team(i.team),
    result: (m) => m,
  }),
  operationTool("teams_remove_member", {
    title: "Remove a team member",
    use: "Use it when someone leaves a team; they lose the team's roles on repositories at once.",
    toolset: "teams",
    hints: HINTS.remove,
    output: z.strictObject({
      user: z.string(),
      removed: z.boolean().describe("false when they were not in the team"),
    }),
    resource: (i) => team(i.team),
    result: (r) => r,
  }),
  operationTool("teams_get_membership", {
    title: "Get a team membership",
    use: "Use it to check one person's role and state in a team (membership is null when they are not in it).",
    toolset: "teams",
    hints: HINTS.read,
    output: z.strictObject({ membership: Membership.nullable() }),
    resource: (i) => team(i.team),
    result: (m) => ({ membership: m }),
  }),
  operationTool("teams_list_members", {
    title: "List a team's members",
    use: "Use it to see who is in a team (active members only, by login).",
    toolset: "teams",
    hints: HINTS.read,
    output: z.strictObject({ items: z.array(z.string().describe("a member's login")) }),
    resource: (i) => team(i.team),
    result: items,
  }),
  operationTool("teams_set_repo_permission", {
    title: "Give a team a role on a repository",
    use: "Use it to grant a team access to a repository (pull reads, push writes, admin administers); the role replaces any the team had there.",
    toolset: "teams",
    hints: HINTS.update,
    output: z.strictObject({ team: z.string(), repo: z.string(), permission: RepoPermission }),
    // Decided on the repository, the thing access is granted to: a tenant may open only its own repositories.
    resource: repository,
    result: (r) => r,
  }),
  operationTool("teams_list_repo_permissions", {
    title: "List a team's repository roles",
    use: "Use it to review what a team can reach before changing its access.",
    toolset: "teams",
    hints: HINTS.read,
    output: z.strictObject({
      items: z.array(z.strictObject({ repo: z.string(), permission: RepoPermission })),
    }),
    resource: (i) => team(i.team),
    result: items,
  }),
  operationTool("orgs_create_invitation", {
    title: "Invite someone to the organisation",
    use: "Use it to bring a new person in (by email, or by login for an existing GitHub user), optionally straight into teams. GitHub emails them; a second invitation for the same person is refused while one is pending.",
    toolset: "teams",
    hints: CREATE_ONCE,
    output: Invitation,
    resource: organization,
    result: (v) => v,
  }),
  operationTool("orgs_list_invitations", {
    title: "List pending invitations",
    use: "Use it to see who has been invited and has not accepted yet, before inviting someone again.",
    toolset: "teams",
    hints: HINTS.read,
    output: z.strictObject({ items: z.array(Invitation) }),
    resource: organization,
    result: items,
  }),
];
