import canonicalize from "canonicalize";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, type JsonValue } from "./canonical-json.ts";

const json: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string({ unit: "binary" }).filter((s) => s.isWellFormed()),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(
      fc.string({ unit: "binary", maxLength: 6 }).filter((s) => s.isWellFormed()),
      tie("value"),
      { maxKeys: 5 },
    ),
  ),
})).value;

describe("RFC 8785 canonical JSON", () => {
  it("matches the reference implementation for any JSON value", () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("matches the RFC's number and ordering examples", () => {
    expect(
      canonicalJson({
        b: [1e21, 1e-7, -0, 0.000001, 333333333.3333333],
        a: "\u20ac\u00e9\n",
        "\u00e9": 1,
        "\ud83d\ude00": 2,
        "\ufb33": 3,
      }),
    ).toBe(
      '{"a":"\u20ac\u00e9\\n","b":[1e+21,1e-7,0,0.000001,333333333.3333333],"\u00e9":1,"\ud83d\ude00":2,"\ufb33":3}',
    );
  });

  it("refuses numbers JSON cannot carry", () => {
    expect(() => canonicalJson({ n: Number.POSITIVE_INFINITY })).toThrow(/no JSON form/);
  });
});
