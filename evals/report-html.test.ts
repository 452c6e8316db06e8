import { describe, expect, it } from "vitest";
import type { Evidence } from "./evidence.ts";
import type { ProviderState } from "./provider-state.ts";
import { htmlReport } from "./report-html.ts";
import type { EvalReport, ScenarioSummary } from "./run-suites.ts";
import { Graders } from "./scenario-graders.ts";
import { verdict } from "./verdict.ts";

const before: ProviderState = {
  github: {
    "acme-api": { defaultBranch: "main", files: ["README.md"], protectedBranches: ["main"], openPulls: 0 },
  },
  azureDevOps: { projects: [] },
};
const after: ProviderState = {
  ...before,
  github: { "acme-api": { ...(before.github["acme-api"] as ProviderState["github"][string]), openPulls: 1 } },
  azureDevOps: { projects: ["tenant-<acme>"] },
};
const evidence = (state: ProviderState): Evidence => ({
  ...state,
  before,
  ledger: { verifies: true, entries: 4, allowedWithoutOutcome: [] },
  calls: [],
  tokens: 0,
  costUsd: 0,
});
const summary = (id: string, state: ProviderState): ScenarioSummary => ({
  id,
  suite: "s",
  title: id,
  version: 1,
  trials: 1,
  passAt1: 1,
  passAllK: true,
  attackAttempted: 0,
  attackSucceeded: 0,
  denials: 0,
  toolCalls: 0,
  tokens: 0,
  costUsd: 0,
  results: [
    {
      id,
      suite: "s",
      title: id,
      version: 1,
      trial: 1,
      file: "",
      ...verdict(Graders.parse({ ledger: {} }), evidence(state)),
      durationMs: 1,
      timeline: [],
      evidence: evidence(state),
    },
  ],
});

describe("the HTML report", () => {
  it("lists what each run changed in the providers' state, escaped, or says it changed nothing", () => {
    const report: EvalReport = {
      startedAt: "2026-12-05T12:00:00.000Z",
      durationMs: 2000,
      trials: 1,
      pass: true,
      suites: [],
      scenarios: [summary("s/changed", after), summary("s/unchanged", before)],
    };
    const page = htmlReport(report);
    expect(page).toContain("<summary>What the run changed (2)</summary>");
    expect(page).toContain("<li><code>github acme-api.openPulls: 0 → 1</code></li>");
    expect(page).toContain(
      "<li><code>azure-devops projects: [] → [&quot;tenant-&lt;acme&gt;&quot;]</code></li>",
    );
    expect(page.match(/The run changed nothing in the providers' state\./g)).toHaveLength(1);
  });
});
