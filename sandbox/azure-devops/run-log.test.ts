import { describe, expect, it } from "vitest";
import { runLog } from "./run-log.ts";

describe("a sandbox run's log", () => {
  it("prints each script step of steps, jobs and stages, and what its echo lines print", () => {
    const yaml = [
      "stages:",
      "  - stage: build",
      "    jobs:",
      "      - job: test",
      "        steps:",
      "          - checkout: self",
      "          - script: |",
      "              npm ci",
      '              echo "tests passed"',
      "            displayName: Test",
      "          - bash: echo done",
    ].join("\n");
    expect(runLog(yaml)).toEqual([
      "##[section]Starting: Test",
      "> npm ci",
      '> echo "tests passed"',
      "tests passed",
      "##[section]Finishing: Test",
      "##[section]Starting: CmdLine",
      "> echo done",
      "done",
      "##[section]Finishing: CmdLine",
    ]);
  });

  it("says so when the YAML cannot be read or describes nothing", () => {
    expect(runLog("steps: [")).toEqual(["##[error]The pipeline's YAML could not be read."]);
    expect(runLog("")).toEqual(["##[error]The pipeline describes no work."]);
  });
});
