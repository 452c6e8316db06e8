import { describe, expect, it } from "vitest";
import type { ToolLine } from "../agents/cassette.ts";
import type { CallRecord } from "./evidence.ts";
import { toolDiff } from "./tape.ts";

const line = (args: Record<string, unknown>, status: ToolLine["status"] = "done"): ToolLine => ({
  kind: "tool",
  agent: "sec",
  tool: "github__checks_set_commit_status",
  arguments: args,
  status,
});
const call = (args: Record<string, unknown>, status: CallRecord["status"] = "done"): CallRecord => ({
  tool: "github__checks_set_commit_status",
  persona: "sec",
  agentId: "agt_1",
  arguments: args,
  status,
});

describe("the replay's tool diff", () => {
  it("matches calls whose arguments differ only in what every run makes anew: SHAs, ids, times", async () => {
    const was = {
      sha: "a".repeat(40),
      id: "6d0f8e8a-5b1c-4c9e-9a51-0f2f5c1f6a01",
      at: "2026-12-05T10:00:00.000Z",
    };
    const now = {
      at: "2026-12-05T11:30:00Z",
      id: "0b7c6f1e-2222-4c9e-9a51-0f2f5c1f6a02",
      sha: "b".repeat(40),
    };
    expect(await toolDiff([line(was)], [call(now)])).toBeUndefined();
  });

  it("names the call asked with other arguments or ending otherwise, beside the recorded one", async () => {
    const recorded = [line({ owner: "acme", repo: "acme-api", state: "success" })];
    expect(await toolDiff(recorded, [call({ repo: "acme-api", owner: "acme", state: "failure" })])).toBe(
      [
        "sec's tool calls left the recording:",
        '  - recorded: github__checks_set_commit_status done {"owner":"acme","repo":"acme-api","state":"success"} ×1',
        '  + asked:    github__checks_set_commit_status done {"owner":"acme","repo":"acme-api","state":"failure"} ×1',
      ].join("\n"),
    );
    expect(
      await toolDiff(recorded, [call({ owner: "acme", repo: "acme-api", state: "success" }, "refused")]),
    ).toMatch(/\+ asked: {4}github__checks_set_commit_status refused/);
    expect(await toolDiff(recorded, [])).toMatch(/- recorded: .* ×1$/);
  });
});
