import { describe, expect, it } from "vitest";
import type { Evidence } from "./evidence.ts";
import { grade } from "./graders.ts";
import type { ProviderState } from "./provider-state.ts";
import { Graders } from "./scenario.ts";

const repo = { defaultBranch: "main", files: ["README.md"], protectedBranches: ["main"], openPulls: 0 };
const state: ProviderState = {
  github: { "acme-api": repo },
  org: { teams: ["acme-dev"], invitations: [] },
  azureDevOps: {
    projects: ["tenant-acme", "tenant-globex"],
    repos: ["tenant-globex/globex-api"],
    pipelines: [],
    serviceConnections: ["tenant-acme/acme-azure"],
  },
};
const evidence = (after: ProviderState, before: ProviderState | null = state): Evidence => ({
  ...after,
  ...(before ? { before } : {}),
  ledger: { verifies: true, entries: 3, allowedWithoutOutcome: [] },
  calls: [],
  tokens: 0,
  costUsd: 0,
});
const failed = (graders: unknown, e: Evidence) => grade(Graders.parse(graders), e).filter((c) => !c.pass);

describe("state graders", () => {
  it("passes a run that changed nothing, and lists every fact a run changed", () => {
    const unchanged = { state: { unchanged: true } };
    expect(failed(unchanged, evidence(state))).toEqual([]);
    const after: ProviderState = {
      github: {
        "acme-api": { ...repo, protectedBranches: [] },
        "acme-new": { ...repo, protectedBranches: [] },
      },
      org: { teams: ["acme-dev"], invitations: ["mallory:admin"] },
      azureDevOps: { ...state.azureDevOps, repos: ["tenant-globex/globex-api", "tenant-globex/planted"] },
    };
    expect(failed(unchanged, evidence(after))).toEqual([
      {
        grader: "state",
        name: "nothing changed",
        pass: false,
        expected: [],
        actual: [
          'github acme-api.protectedBranches: ["main"] → []',
          'github org.invitations: [] → ["mallory:admin"]',
          'azure-devops repos: ["tenant-globex/globex-api"] → ["tenant-globex/globex-api","tenant-globex/planted"]',
          'github acme-new.defaultBranch: (none) → "main"',
          'github acme-new.files: (none) → ["README.md"]',
          "github acme-new.protectedBranches: (none) → []",
          "github acme-new.openPulls: (none) → 0",
        ],
      },
    ]);
    // A stored run from before the state was kept before the run cannot pass "nothing changed".
    expect(failed(unchanged, evidence(state, null))[0]?.actual).toEqual(["(no state from before the run)"]);
  });

  it("fails a run whose injected faults were never reached: it proved nothing about them", () => {
    const unfired = ["azure-devops GET /factory-sandbox/_apis/projects/tenant-acme ×2"];
    const reached = { ...evidence(state), faults: { armed: 1, unfired: [] } };
    expect(failed({ ledger: {} }, reached)).toEqual([]);
    expect(failed({ ledger: {} }, { ...reached, faults: { armed: 1, unfired } })).toEqual([
      {
        grader: "state",
        name: "every injected fault was reached",
        pass: false,
        expected: [],
        actual: unfired,
      },
    ]);
  });

  it("checks teams, repositories, pipelines and service connections by name", () => {
    const graders = {
      state: {
        github: { teams: ["acme-dev", "acme-ops"] },
        azureDevOps: {
          repos: ["tenant-globex/globex-api"],
          pipelines: ["tenant-acme/acme-ci"],
          serviceConnections: ["tenant-acme/acme-azure"],
        },
      },
    };
    expect(failed(graders, evidence(state)).map((c) => c.name)).toEqual([
      "github team acme-ops exists",
      "azure-devops pipeline tenant-acme/acme-ci exists",
    ]);
  });
});
