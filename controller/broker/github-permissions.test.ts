import { describe, expect, it } from "vitest";
import { createsRepositories, githubPermissions, orgOnly, repositoryPatterns } from "./github-permissions.ts";

describe("GitHub App permissions for a grant's scope", () => {
  it("gives read tools read access and repository reads only metadata", () => {
    expect(
      githubPermissions([
        { tools: ["repos_get_*", "repos_list_*", "issues_list_issues"], resources: ["acme-*"] },
      ]),
    ).toEqual({
      metadata: "read",
      issues: "read",
    });
  });

  it("gives write tools write access, with workflows for anything that commits files", () => {
    expect(
      githubPermissions([
        {
          tools: ["contents_create_or_update_file", "protection_update_branch_protection"],
          resources: ["acme-app"],
        },
      ]),
    ).toEqual({
      metadata: "read",
      contents: "write",
      workflows: "write",
      administration: "write",
    });
  });

  it("treats a wildcard verb as write and reaches the organisation level", () => {
    expect(githubPermissions([{ tools: ["secrets_*"], resources: ["acme-*"] }])).toEqual({
      metadata: "read",
      secrets: "write",
      organization_secrets: "write",
    });
    expect(githubPermissions([{ tools: ["teams_*"], resources: ["acme"] }])).toEqual({
      metadata: "read",
      members: "write",
    });
  });

  it("reads everything a blueprint reaches to plan it, and writes it all to apply it", () => {
    const reach = (level: "read" | "write") => ({
      metadata: "read",
      administration: level,
      contents: level,
      secrets: level,
      organization_secrets: level,
      actions_variables: level,
      organization_actions_variables: level,
      environments: level,
      vulnerability_alerts: level,
      security_events: level,
      secret_scanning_alerts: level,
      members: level,
    });
    expect(githubPermissions([{ tools: ["plan_blueprint"], resources: ["acme"] }])).toEqual(reach("read"));
    expect(githubPermissions([{ tools: ["apply_blueprint"], resources: ["acme"] }])).toEqual({
      ...reach("write"),
      workflows: "write",
    });
  });

  it("keeps only organisation permissions for a token that may touch no repository", () => {
    expect(orgOnly({ metadata: "read", contents: "write", members: "write" })).toEqual({
      metadata: "read",
      members: "write",
    });
  });

  it("knows which scopes create repositories and which names they reach", () => {
    const founder = [{ tools: ["repos_create_repository", "teams_*"], resources: ["acme-*", "acme"] }];
    expect(createsRepositories(founder)).toBe(true);
    expect(createsRepositories([{ tools: ["repos_get_*"], resources: ["acme-*"] }])).toBe(false);
    expect(repositoryPatterns([...founder, { tools: ["issues_*"], resources: ["acme-*"] }])).toEqual([
      "acme-*",
      "acme",
    ]);
  });
});
