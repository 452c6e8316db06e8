import { describe, expect, it } from "vitest";
import { sharedValidators } from "./schema-validators.ts";

const schema = () => ({
  type: "object" as const,
  properties: { status: { type: "string" as const, enum: ["done", "pending_approval"] } },
  required: ["status"],
});

describe("output-schema validators shared by every MCP client", () => {
  it("compiles an equal schema once, and still rejects what does not match it", () => {
    const first = sharedValidators.getValidator(schema());
    expect(sharedValidators.getValidator(schema())).toBe(first);
    expect(first({ status: "done" })).toEqual({
      valid: true,
      data: { status: "done" },
      errorMessage: undefined,
    });
    expect(first({ status: "maybe" })).toMatchObject({
      valid: false,
      errorMessage: "data/status must be equal to one of the allowed values",
    });
    const other = sharedValidators.getValidator({ ...schema(), required: [] });
    expect(other).not.toBe(first);
    expect(other({}).valid).toBe(true);
  });
});
