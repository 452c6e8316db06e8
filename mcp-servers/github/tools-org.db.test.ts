import { beforeAll, describe, expect, it } from "vitest";
import { backends } from "../../test/support/backends.ts";
import { githubToolWorld } from "../../test/support/github-tools.ts";
import type { GitHubContext } from "./tools/context.ts";

const api = { owner: "acme", repo: "acme-api" };
const ci =
  "name: ci\non: [pull_request]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";
const NPM_TOKEN = "npm_valueThatMustNotLeak0001";

describe.each(backends)("the GitHub organisation, secrets, security and blueprint tools on %s", (backend) => {
  const { world, as, call, notRun } = githubToolWorld(backend);

  beforeAll(async () => {
    await as.ada.factory.call("repos_create_repository", api);
  });

  it("creates a team, manages its members and repository roles, and invites people", async () => {
    const team = { id: expect.any(Number), slug: "acme-developers", name: "Acme Developers" };
    expect(await call(as.ada, "teams_create_team", { owner: "acme", name: "Acme Developers" })).toEqual({
      ...team,
      description: null,
      privacy: "closed",
    });
    const ref = { owner: "acme", team: "acme-developers" };
    expect(await call(as.ada, "teams_get_team", ref)).toEqual({
      team: { ...team, description: null, privacy: "closed" },
    });
    expect(await call(as.ada, "teams_get_team", { owner: "acme", team: "acme-nobody" })).toEqual({
      team: null,
    });
    expect(await call(as.ada, "teams_list_teams", { owner: "acme" })).toEqual({
      items: [{ ...team, description: null, privacy: "closed" }],
    });
    expect(await call(as.ada, "teams_add_member", { ...ref, user: "grace", role: "maintainer" })).toEqual({
      user: "grace",
      role: "maintainer",
      state: "active",
    });
    expect(await call(as.ada, "teams_add_member", { ...ref, user: "linus" })).toEqual({
      user: "linus",
      role: "member",
      state: "pending",
    });
    expect(await call(as.ada, "teams_get_membership", { ...ref, user: "grace" })).toEqual({
      membership: { user: "grace", role: "maintainer", state: "active" },
    });
    expect(await call(as.ada, "teams_list_members", ref)).toEqual({ items: ["grace"] });
    expect(await call(as.ada, "teams_remove_member", { ...ref, user: "linus" })).toEqual({
      user: "linus",
      removed: true,
    });
    expect(await call(as.ada, "teams_get_membership", { ...ref, user: "linus" })).toEqual({
      membership: null,
    });
    expect(
      await call(as.ada, "teams_set_repo_permission", { ...ref, repo: "acme-api", permission: "push" }),
    ).toEqual({ team: "acme-developers", repo: "acme-api", permission: "push" });
    expect(await call(as.ada, "teams_list_repo_permissions", ref)).toEqual({
      items: [{ repo: "acme-api", permission: "push" }],
    });
    const invitation = {
      id: expect.any(Number),
      email: "new@example.com",
      login: null,
      role: "direct_member",
    };
    expect(
      await call(as.ada, "orgs_create_invitation", {
        owner: "acme",
        email: "new@example.com",
        teams: ["acme-developers"],
      }),
    ).toEqual(invitation);
    expect(await call(as.ada, "orgs_list_invitations", { owner: "acme" })).toEqual({ items: [invitation] });
  });

  it("sets Actions secrets (sealed) and variables, deployment environments and security settings", async () => {
    expect(await call(as.ada, "secrets_set_secret", { ...api, name: "NPM_TOKEN", value: NPM_TOKEN })).toEqual(
      {
        name: "NPM_TOKEN",
        created: true,
      },
    );
    const { id } = await call<{ id: number }>(as.ada, "repos_get_repository", api);
    expect(await world.sandbox.openSecret({ repoId: id }, "NPM_TOKEN")).toBe(NPM_TOKEN);
    expect(
      await call(as.ada, "secrets_set_secret", { owner: "acme", name: "SHARED", value: "shared" }),
    ).toEqual({
      name: "SHARED",
      created: true,
    });
    expect(await call(as.ada, "secrets_list_secrets", api)).toEqual({
      items: [{ name: "NPM_TOKEN", updatedAt: expect.any(String) }],
    });
    expect(await call(as.ada, "secrets_delete_secret", { owner: "acme", name: "SHARED" })).toEqual({
      name: "SHARED",
      deleted: true,
    });
    expect(await call(as.ada, "secrets_list_secrets", { owner: "acme" })).toEqual({ items: [] });

    const variable = { ...api, name: "NODE_VERSION" };
    expect(await call(as.ada, "variables_get_variable", variable)).toEqual({ variable: null });
    expect(await call(as.ada, "variables_set_variable", { ...variable, value: "20" })).toEqual({
      name: "NODE_VERSION",
      changed: true,
    });
    expect(await call(as.ada, "variables_get_variable", variable)).toEqual({
      variable: { name: "NODE_VERSION", value: "20" },
    });

    const production = { ...api, name: "production" };
    expect(await call(as.ada, "environments_get_environment", production)).toEqual({ environment: null });
    expect(
      await call(as.ada, "environments_set_environment", {
        ...production,
        waitTimerMinutes: 5,
        reviewers: [{ team: "acme-developers" }],
      }),
    ).toEqual({ name: "production", rules: expect.arrayContaining(["required_reviewers", "wait_timer"]) });
    expect(await call(as.ada, "environments_get_environment", production)).toEqual({
      environment: {
        name: "production",
        waitTimerMinutes: 5,
        reviewers: [{ team: "acme-developers" }],
        preventSelfReview: true,
        protectedBranchesOnly: true,
      },
    });

    const all = {
      vulnerabilityAlerts: true,
      automatedSecurityFixes: true,
      secretScanning: true,
      secretScanningPushProtection: true,
    };
    expect(await call(as.ada, "security_update_settings", api)).toEqual(all);
    expect(await call(as.ada, "security_get_settings", api)).toEqual(all);
  });

  it("plans a blueprint without changing anything, applies it with secrets resolved at apply time, then plans nothing", async () => {
    await world.sandbox.world.addOrg("initech");
    const blueprint = {
      org: "initech",
      repos: [
        {
          name: "initech-api",
          files: [{ path: ".github/workflows/ci.yml", content: ci }],
          protection: { branch: "main", requiredReviews: 1 },
          secrets: [{ name: "NPM_TOKEN", ref: "secret://initech/npm-token" }],
          variables: [{ name: "NODE_VERSION", value: "20" }],
        },
      ],
      teams: [
        {
          name: "initech-developers",
          members: [{ user: "grace" }],
          repos: [{ repo: "initech-api", permission: "push" }],
        },
      ],
    };
    const planned = await call<{ steps: { tool: string }[] }>(as.ada, "plan_blueprint", blueprint);
    const tools = [
      "teams_create_team",
      "teams_add_member",
      "repos_create_repository",
      "contents_commit_files",
      "protection_update_branch_protection",
      "secrets_set_secret",
      "variables_set_variable",
      "teams_set_repo_permission",
    ];
    expect(planned.steps.map((s) => s.tool)).toEqual(tools);
    expect(planned).toMatchObject({ target: "initech", unchanged: [], readCalls: expect.any(Number) });
    expect(await call(as.ada, "repos_list_repositories", { owner: "initech" })).toEqual({ items: [] });

    const resolved: string[] = [];
    const withSecrets: GitHubContext = {
      factory: as.ada.factory,
      secrets: async (ref) => {
        resolved.push(ref);
        return NPM_TOKEN;
      },
    };
    const applied = await call<{ applied: { tool: string }[]; waiting: unknown[]; plan: unknown }>(
      withSecrets,
      "apply_blueprint",
      blueprint,
    );
    expect(applied.applied.map((s) => s.tool)).toEqual(tools);
    expect(applied.waiting).toEqual([]);
    expect(applied.plan).toEqual(planned);
    expect(resolved).toEqual(["secret://initech/npm-token"]);
    expect(JSON.stringify(applied)).not.toContain(NPM_TOKEN);
    const { id } = await call<{ id: number }>(as.ada, "repos_get_repository", {
      owner: "initech",
      repo: "initech-api",
    });
    expect(await world.sandbox.openSecret({ repoId: id }, "NPM_TOKEN")).toBe(NPM_TOKEN);
    expect(await call(as.ada, "plan_blueprint", blueprint)).toMatchObject({ steps: [] });
  });

  it("ran every tool of the teams, secrets, actions, security and blueprints toolsets", () => {
    expect(notRun(["teams", "secrets", "actions", "security", "blueprints"])).toEqual([]);
  });
});
