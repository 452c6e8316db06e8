import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { backends } from "../../test/support/backends.ts";
import { failure as failed } from "../../test/support/failure.ts";
import { githubSandboxWorld } from "../../test/support/github-world.ts";
import type { GitHubFactoryError } from "./errors.ts";
import type { GitHubFactory } from "./factory.ts";

const failure = (promise: Promise<unknown>) => failed<GitHubFactoryError>(promise);

describe.each(backends)(
  "the GitHub factory's organisation, secrets and security operations on %s",
  (backend) => {
    const { world, factory } = githubSandboxWorld(backend, {
      org: "acme",
      repositories: ["acme-app"],
      permissions: {
        metadata: "read",
        secrets: "write",
        actions_variables: "read",
        administration: "read",
      },
    });
    const sandbox = () => world.sandbox;
    let admin: GitHubFactory;
    let appId: number;

    beforeAll(async () => {
      for (const login of ["ada", "grace", "linus"])
        await sandbox().world.addUser(login, `${login}@example.com`);
      await sandbox().world.addMember("acme", "ada", "admin");
      await sandbox().world.addMember("acme", "grace");
      admin = factory(await sandbox().personalToken("ada"));
      appId = (await admin.call("repos_get_repository", { owner: "acme", repo: "acme-app" })).id;
    });

    it("creates teams, adds members (pending outside the organisation) and gives teams roles on repositories", async () => {
      const team = await admin.call("teams_create_team", {
        owner: "acme",
        name: "App Developers",
        description: "builds the app",
      });
      expect(team).toMatchObject({ slug: "app-developers", name: "App Developers", privacy: "closed" });
      expect(await admin.call("teams_get_team", { owner: "acme", team: "app-developers" })).toEqual(team);
      expect(await admin.call("teams_get_team", { owner: "acme", team: "nobody" })).toBeNull();
      const duplicate = await failure(
        admin.call("teams_create_team", { owner: "acme", name: "App Developers" }),
      );
      expect(duplicate).toMatchObject({ status: 422, operation: "teams_create_team" });

      expect(
        await admin.call("teams_add_member", { owner: "acme", team: "app-developers", user: "grace" }),
      ).toEqual({
        user: "grace",
        role: "member",
        state: "active",
      });
      expect(
        (
          await admin.call("teams_add_member", {
            owner: "acme",
            team: "app-developers",
            user: "linus",
            role: "maintainer",
          })
        ).state,
      ).toBe("pending");
      expect(await admin.call("teams_list_members", { owner: "acme", team: "app-developers" })).toEqual([
        "grace",
      ]);
      expect(
        await admin.call("teams_remove_member", { owner: "acme", team: "app-developers", user: "linus" }),
      ).toEqual({
        user: "linus",
        removed: true,
      });
      expect(
        (await admin.call("teams_remove_member", { owner: "acme", team: "app-developers", user: "linus" }))
          .removed,
      ).toBe(false);
      const unknown = await failure(
        admin.call("teams_add_member", { owner: "acme", team: "app-developers", user: "ghost" }),
      );
      expect(unknown).toMatchObject({ status: 404, resource: "acme/teams/app-developers/ghost" });

      await admin.call("teams_set_repo_permission", {
        owner: "acme",
        team: "app-developers",
        repo: "acme-app",
        permission: "push",
      });
      expect(
        await admin.call("teams_list_repo_permissions", { owner: "acme", team: "app-developers" }),
      ).toEqual([{ repo: "acme-app", permission: "push" }]);
    });

    it("invites by email or login into teams, and refuses a second invitation", async () => {
      const byEmail = await admin.call("orgs_create_invitation", {
        owner: "acme",
        email: "new@example.com",
        teams: ["app-developers"],
      });
      expect(byEmail).toMatchObject({ email: "new@example.com", role: "direct_member" });
      const byLogin = await admin.call("orgs_create_invitation", { owner: "acme", user: "linus" });
      expect(byLogin).toMatchObject({ login: "linus" });
      expect(
        (await admin.call("orgs_list_invitations", { owner: "acme" })).map((i) => i.email ?? i.login),
      ).toEqual(["new@example.com", "linus"]);
      expect(
        await failure(admin.call("orgs_create_invitation", { owner: "acme", email: "new@example.com" })),
      ).toMatchObject({
        status: 422,
      });
      expect(await failure(admin.call("orgs_create_invitation", { owner: "acme" }))).toMatchObject({
        field: "(input)",
      });
    });

    it("seals secrets so only the sandbox's private key opens them, at repository and organisation level", async () => {
      const value = "npm_5ecretV4lueThatMustNeverBeStoredInClear";
      expect(
        await admin.call("secrets_set_secret", { owner: "acme", repo: "acme-app", name: "npm_token", value }),
      ).toEqual({
        name: "NPM_TOKEN",
        created: true,
      });
      expect(
        (
          await admin.call("secrets_set_secret", {
            owner: "acme",
            repo: "acme-app",
            name: "NPM_TOKEN",
            value,
          })
        ).created,
      ).toBe(false);
      expect(await sandbox().openSecret({ repoId: appId }, "NPM_TOKEN")).toBe(value);
      await admin.call("secrets_set_secret", {
        owner: "acme",
        name: "SHARED_KEY",
        value: "org-wide",
        visibility: "all",
      });
      expect(await sandbox().openSecret({ org: "acme" }, "SHARED_KEY")).toBe("org-wide");
      expect(
        (await admin.call("secrets_list_secrets", { owner: "acme", repo: "acme-app" })).map((s) => s.name),
      ).toEqual(["NPM_TOKEN"]);

      // Nothing in the sandbox's storage holds the value in clear.
      const stored = await world.database.db.execute(sql`select data::text from github_sandbox.objects`);
      expect(JSON.stringify(stored)).not.toContain(value);

      expect(
        await admin.call("secrets_delete_secret", { owner: "acme", repo: "acme-app", name: "NPM_TOKEN" }),
      ).toEqual({
        name: "NPM_TOKEN",
        deleted: true,
      });
      expect(
        (await admin.call("secrets_delete_secret", { owner: "acme", repo: "acme-app", name: "NPM_TOKEN" }))
          .deleted,
      ).toBe(false);
      const reserved = await failure(
        admin.call("secrets_set_secret", { owner: "acme", repo: "acme-app", name: "GITHUB_TOKEN", value }),
      );
      expect(reserved).toMatchObject({ field: "name" });
    });

    it("sets variables once and changes them only when the value differs", async () => {
      const target = { owner: "acme", repo: "acme-app", name: "NODE_VERSION" };
      expect(await admin.call("variables_set_variable", { ...target, value: "20" })).toEqual({
        name: "NODE_VERSION",
        changed: true,
      });
      expect(await admin.call("variables_set_variable", { ...target, value: "20" })).toEqual({
        name: "NODE_VERSION",
        changed: false,
      });
      expect((await admin.call("variables_set_variable", { ...target, value: "22" })).changed).toBe(true);
      expect(await admin.call("variables_get_variable", target)).toEqual({
        name: "NODE_VERSION",
        value: "22",
      });
      expect(await admin.call("variables_get_variable", { ...target, name: "MISSING" })).toBeNull();
    });

    it("creates environments with required reviewers and a protected-branches policy", async () => {
      const production = { owner: "acme", repo: "acme-app", name: "production" };
      const set = await admin.call("environments_set_environment", {
        ...production,
        waitTimerMinutes: 5,
        reviewers: [{ user: "grace" }, { team: "app-developers" }],
      });
      expect(set.rules.sort()).toEqual(["branch_policy", "required_reviewers", "wait_timer"]);
      expect(await admin.call("environments_get_environment", production)).toEqual({
        name: "production",
        waitTimerMinutes: 5,
        reviewers: [{ user: "grace" }, { team: "app-developers" }],
        preventSelfReview: true,
        protectedBranchesOnly: true,
      });
      expect(await admin.call("environments_get_environment", { ...production, name: "staging" })).toBeNull();
      const ghost = await failure(
        admin.call("environments_set_environment", { ...production, reviewers: [{ user: "ghost" }] }),
      );
      expect(ghost).toMatchObject({ status: 404, operation: "environments_set_environment" });
    });

    it("turns on Dependabot alerts and fixes, secret scanning and push protection", async () => {
      const repo = { owner: "acme", repo: "acme-app" };
      expect(await admin.call("security_get_settings", repo)).toEqual({
        vulnerabilityAlerts: false,
        automatedSecurityFixes: false,
        secretScanning: false,
        secretScanningPushProtection: false,
      });
      const on = {
        vulnerabilityAlerts: true,
        automatedSecurityFixes: true,
        secretScanning: true,
        secretScanningPushProtection: true,
      };
      expect(await admin.call("security_update_settings", repo)).toEqual(on);
      expect(await admin.call("security_get_settings", repo)).toEqual(on);
    });

    it("holds an App's token to what the installation granted it", async () => {
      const ops = factory(
        await sandbox().installationToken({
          repositories: ["acme-app"],
          permissions: { metadata: "read", secrets: "write" },
        }),
      );
      expect(
        (
          await ops.call("secrets_set_secret", {
            owner: "acme",
            repo: "acme-app",
            name: "DEPLOY_KEY",
            value: "k",
          })
        ).created,
      ).toBe(true);
      const variable = await failure(
        ops.call("variables_set_variable", { owner: "acme", repo: "acme-app", name: "X", value: "1" }),
      );
      expect(variable).toMatchObject({ status: 403 });
      const orgSecret = await failure(
        ops.call("secrets_set_secret", { owner: "acme", name: "ORG_WIDE", value: "v" }),
      );
      expect(orgSecret).toMatchObject({ status: 403 });
      const team = await failure(ops.call("teams_create_team", { owner: "acme", name: "Rogue" }));
      expect(team).toMatchObject({ status: 403 });
      expect(await admin.call("teams_get_team", { owner: "acme", team: "rogue" })).toBeNull();
      await expect(
        sandbox().installationToken({ permissions: { metadata: "read", members: "write" } }),
      ).rejects.toThrow(/not granted to this installation/);
    });
  },
);
