import type { Context } from "hono";
import { Hono } from "hono";
import { allows, orgFor, requireToken, type SandboxEnv } from "../auth.ts";
import { notAccessible, notFound, validationFailed } from "../errors.ts";
import { apiOf, nodeId, orgJson, ownerJson, repositoryJson } from "../json.ts";
import {
  type Invitation,
  type Org,
  type Repo,
  type RepoRole,
  repoKey,
  slugify,
  type Team,
  type TeamMembership,
  teamKey,
  type User,
} from "../model.ts";
import { paginate } from "../paging.ts";

type Body = Record<string, unknown>;
const ROLES: RepoRole[] = ["pull", "triage", "push", "maintain", "admin"];

function teamJson(api: string, org: Org, t: Team) {
  const url = `${api}/orgs/${org.login}/teams/${t.slug}`;
  return {
    id: t.id,
    node_id: nodeId("Team", t.id),
    url,
    html_url: `${api}/orgs/${org.login}/teams/${t.slug}`,
    name: t.name,
    slug: t.slug,
    description: t.description,
    privacy: t.privacy,
    notification_setting: "notifications_enabled",
    permission: "pull",
    members_url: `${url}/members{/member}`,
    repositories_url: `${url}/repos`,
    parent: null,
    type: "organization",
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    members_count: 0,
    repos_count: 0,
    organization: orgJson(api, org),
  };
}

function invitationJson(api: string, org: Org, i: Invitation) {
  return {
    id: i.id,
    node_id: nodeId("OrganizationInvitation", i.id),
    login: i.login,
    email: i.email,
    role: i.role,
    created_at: i.createdAt.replace(/\.\d{3}Z$/, "Z"),
    inviter: ownerJson(api, { login: "sandbox", id: 1 }, "User"),
    team_count: i.teamSlugs.length,
    invitation_teams_url: `${api}/organizations/${org.id}/invitations/${i.id}/teams`,
  };
}

async function teamFor(c: Context<SandboxEnv>, level: "read" | "write") {
  const { org } = await orgFor(c, ["members", level]);
  const team = await c.get("objects").get<Team>("team", teamKey(org.login, c.req.param("team_slug") ?? ""));
  if (!team) throw notFound();
  return { org, team };
}

/** Teams, their members and repositories, and organisation invitations by login or email. */
export function teamRoutes(): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();
  const teamPath = "/orgs/:org/teams/:team_slug";

  app.post("/orgs/:org/teams", async (c) => {
    const { org } = await orgFor(c, ["members", "write"]);
    const body = (await c.req.json().catch(() => ({}))) as Body;
    if (typeof body.name !== "string" || body.name.trim() === "")
      throw validationFailed([{ resource: "Team", field: "name", code: "missing_field" }]);
    const objects = c.get("objects");
    const team: Team = {
      id: await objects.nextId(),
      org: org.login,
      slug: slugify(body.name),
      name: body.name,
      description: typeof body.description === "string" ? body.description : null,
      privacy: body.privacy === "secret" ? "secret" : "closed",
      parentSlug: null,
    };
    if (!(await objects.create("team", teamKey(org.login, team.slug), team)))
      throw validationFailed([
        {
          resource: "Team",
          field: "name",
          code: "already_exists",
          message: "Name must be unique for this org",
        },
      ]);
    return c.json(teamJson(apiOf(c), org, team), 201);
  });

  app.get("/orgs/:org/teams", async (c) => {
    const { org } = await orgFor(c, ["members", "read"]);
    const teams = await c.get("objects").list<Team>("team", `${org.login.toLowerCase()}/`);
    return c.json(paginate(c, teams).map((t) => teamJson(apiOf(c), org, t)));
  });

  app.get(teamPath, async (c) => {
    const { org, team } = await teamFor(c, "read");
    return c.json(teamJson(apiOf(c), org, team));
  });

  app.patch(teamPath, async (c) => {
    const { org, team } = await teamFor(c, "write");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const next: Team = {
      ...team,
      ...(typeof body.description === "string" ? { description: body.description } : {}),
      ...(body.privacy === "secret" || body.privacy === "closed" ? { privacy: body.privacy } : {}),
      ...(typeof body.name === "string" ? { name: body.name } : {}),
    };
    await c.get("objects").put("team", teamKey(org.login, team.slug), next);
    return c.json(teamJson(apiOf(c), org, next));
  });

  app.delete(teamPath, async (c) => {
    const { org, team } = await teamFor(c, "write");
    const objects = c.get("objects");
    const key = teamKey(org.login, team.slug);
    await objects.delete("team", key);
    await objects.deleteUnder("team_member", `${key}/`);
    await objects.deleteUnder("team_repo", `${key}/`);
    return c.body(null, 204);
  });

  app.put(`${teamPath}/memberships/:username`, async (c) => {
    const { org, team } = await teamFor(c, "write");
    const objects = c.get("objects");
    const user = await objects.get<User>("user", (c.req.param("username") ?? "").toLowerCase());
    if (!user) throw notFound();
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const role = body.role === "maintainer" ? "maintainer" : "member";
    const member = await objects.get<{ login: string }>(
      "org_member",
      `${org.login}/${user.login}`.toLowerCase(),
    );
    const membership: TeamMembership = { login: user.login, role, state: member ? "active" : "pending" };
    await objects.put(
      "team_member",
      `${teamKey(org.login, team.slug)}/${user.login.toLowerCase()}`,
      membership,
    );
    return c.json({
      url: `${apiOf(c)}/orgs/${org.login}/teams/${team.slug}/memberships/${user.login}`,
      role,
      state: membership.state,
    });
  });

  app.get(`${teamPath}/memberships/:username`, async (c) => {
    const { org, team } = await teamFor(c, "read");
    const login = (c.req.param("username") ?? "").toLowerCase();
    const membership = await c
      .get("objects")
      .get<TeamMembership>("team_member", `${teamKey(org.login, team.slug)}/${login}`);
    if (!membership) throw notFound();
    return c.json({
      url: `${apiOf(c)}/orgs/${org.login}/teams/${team.slug}/memberships/${membership.login}`,
      role: membership.role,
      state: membership.state,
    });
  });

  app.delete(`${teamPath}/memberships/:username`, async (c) => {
    const { org, team } = await teamFor(c, "write");
    const login = (c.req.param("username") ?? "").toLowerCase();
    if (!(await c.get("objects").delete("team_member", `${teamKey(org.login, team.slug)}/${login}`)))
      throw notFound();
    return c.body(null, 204);
  });

  app.get(`${teamPath}/members`, async (c) => {
    const { org, team } = await teamFor(c, "read");
    const objects = c.get("objects");
    const members = (
      await objects.list<TeamMembership>("team_member", `${teamKey(org.login, team.slug)}/`)
    ).filter(
      (m) =>
        m.state === "active" &&
        (!c.req.query("role") || c.req.query("role") === "all" || c.req.query("role") === m.role),
    );
    const users = await Promise.all(members.map((m) => objects.get<User>("user", m.login.toLowerCase())));
    return c.json(
      paginate(
        c,
        users.filter((u): u is User => !!u),
      ).map((u) => ownerJson(apiOf(c), u, "User")),
    );
  });

  app.put(`${teamPath}/repos/:owner/:repo`, async (c) => {
    const { org, team } = await teamFor(c, "write");
    if (!allows((await requireToken(c)).permissions, "administration", "write")) throw notAccessible();
    const objects = c.get("objects");
    const repo = await objects.get<Repo>(
      "repo",
      repoKey(c.req.param("owner") ?? "", c.req.param("repo") ?? ""),
    );
    if (!repo || repo.owner.toLowerCase() !== org.login.toLowerCase()) throw notFound();
    const body = (await c.req.json().catch(() => ({}))) as Body;
    const permission = (body.permission ?? "push") as RepoRole;
    if (!ROLES.includes(permission))
      throw validationFailed([{ resource: "TeamRepository", field: "permission", code: "invalid" }]);
    await objects.put("team_repo", `${teamKey(org.login, team.slug)}/${repo.id}`, {
      repoKey: repoKey(repo.owner, repo.name),
      permission,
    });
    return c.body(null, 204);
  });

  app.delete(`${teamPath}/repos/:owner/:repo`, async (c) => {
    const { org, team } = await teamFor(c, "write");
    const objects = c.get("objects");
    const repo = await objects.get<Repo>(
      "repo",
      repoKey(c.req.param("owner") ?? "", c.req.param("repo") ?? ""),
    );
    if (!repo) throw notFound();
    await objects.delete("team_repo", `${teamKey(org.login, team.slug)}/${repo.id}`);
    return c.body(null, 204);
  });

  app.get(`${teamPath}/repos`, async (c) => {
    const { org, team } = await teamFor(c, "read");
    const objects = c.get("objects");
    const links = await objects.list<{ repoKey: string; permission: RepoRole }>(
      "team_repo",
      `${teamKey(org.login, team.slug)}/`,
    );
    const rows = [];
    for (const link of links) {
      const repo = await objects.get<Repo>("repo", link.repoKey);
      if (repo)
        rows.push({
          ...repositoryJson(apiOf(c), repo, org),
          role_name: link.permission,
          permissions: permissionsFor(link.permission),
        });
    }
    return c.json(paginate(c, rows));
  });

  app.get("/users/:username", async (c) => {
    await requireToken(c);
    const user = await c.get("objects").get<User>("user", (c.req.param("username") ?? "").toLowerCase());
    if (!user) throw notFound();
    return c.json({
      ...ownerJson(apiOf(c), user, "User"),
      name: null,
      email: null,
      company: null,
      blog: "",
      location: null,
      hireable: null,
      bio: null,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
    });
  });

  app.post("/orgs/:org/invitations", async (c) => {
    const { org } = await orgFor(c, ["members", "write"]);
    const objects = c.get("objects");
    const body = (await c.req.json().catch(() => ({}))) as Body;
    let login: string | null = null;
    if (body.invitee_id !== undefined) {
      const users = await objects.list<User>("user");
      const user = users.find((u) => u.id === Number(body.invitee_id));
      if (!user)
        throw validationFailed([
          { resource: "OrganizationInvitation", field: "invitee_id", code: "invalid" },
        ]);
      login = user.login;
    }
    const email = typeof body.email === "string" ? body.email : null;
    if (!login && !email)
      throw validationFailed([{ resource: "OrganizationInvitation", field: "email", code: "missing_field" }]);
    if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
      throw validationFailed([{ resource: "OrganizationInvitation", field: "email", code: "invalid" }]);
    const pending = await objects.list<Invitation>("invitation", `${org.login.toLowerCase()}/`);
    if (pending.some((i) => (email && i.email === email) || (login && i.login === login)))
      throw validationFailed([
        {
          resource: "OrganizationInvitation",
          field: "email",
          code: "already_exists",
          message: "Invitee has already been invited",
        },
      ]);
    const teamIds = Array.isArray(body.team_ids) ? body.team_ids.map(Number) : [];
    const teams = await objects.list<Team>("team", `${org.login.toLowerCase()}/`);
    const invitation: Invitation = {
      id: await objects.nextId(),
      org: org.login,
      login,
      email,
      role: body.role === "admin" || body.role === "billing_manager" ? body.role : "direct_member",
      teamSlugs: teams.filter((t) => teamIds.includes(t.id)).map((t) => t.slug),
      createdAt: new Date().toISOString(),
    };
    await objects.put("invitation", `${org.login.toLowerCase()}/${invitation.id}`, invitation);
    return c.json(invitationJson(apiOf(c), org, invitation), 201);
  });

  app.get("/orgs/:org/invitations", async (c) => {
    const { org } = await orgFor(c, ["members", "read"]);
    const pending = await c.get("objects").list<Invitation>("invitation", `${org.login.toLowerCase()}/`);
    return c.json(paginate(c, pending).map((i) => invitationJson(apiOf(c), org, i)));
  });

  return app;
}

function permissionsFor(role: RepoRole) {
  const rank = ROLES.indexOf(role);
  return { pull: rank >= 0, triage: rank >= 1, push: rank >= 2, maintain: rank >= 3, admin: rank >= 4 };
}
