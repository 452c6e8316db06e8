import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonValue } from "./canonical-json.ts";
import { verifyChain } from "./chain.ts";
import { type EntryInput, entryHash, GENESIS_HASH, type LedgerEntry, linkEntries } from "./entry.ts";

const json: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string({ unit: "grapheme" }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), tie("value"), { maxKeys: 3 }),
  ),
})).value;

const input: fc.Arbitrary<EntryInput> = fc.record({
  tenant: fc.constantFrom(null, "acme", "globex"),
  actor: fc.string({ minLength: 1, maxLength: 20, unit: "grapheme" }),
  action: fc.constantFrom("grant.minted", "intent.recorded", "approval.granted", "tenant.killed"),
  resource: fc.string({ minLength: 1, maxLength: 30, unit: "grapheme" }),
  payload: fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 4 }),
});

const chain = fc
  .array(input, { minLength: 2, maxLength: 25 })
  .map((inputs) => linkEntries(inputs, { seq: 0, hash: GENESIS_HASH }, "2026-01-01T00:00:00.000Z"));

/** The tip a trusted source (the head row, the latest signed checkpoint) vouches for. */
const headOf = (entries: readonly LedgerEntry[]) => {
  const last = entries.at(-1) as LedgerEntry;
  return { seq: last.seq, hash: last.hash };
};

type Field = "actor" | "resource" | "tenant" | "payload" | "ts" | "action" | "prevHash";
const tamper = (e: LedgerEntry, field: Field): LedgerEntry => {
  switch (field) {
    case "actor":
      return { ...e, actor: `${e.actor}!` };
    case "resource":
      return { ...e, resource: `${e.resource}/x` };
    case "tenant":
      return { ...e, tenant: e.tenant === "acme" ? "globex" : "acme" };
    case "payload":
      return { ...e, payload: { ...e.payload, injected: true } };
    case "ts":
      return { ...e, ts: "2030-01-01T00:00:00.000Z" };
    case "action":
      return { ...e, action: "tenant.deleted" };
    case "prevHash":
      return { ...e, prevHash: "a".repeat(64) };
    default: {
      const unreachable: never = field;
      return unreachable;
    }
  }
};
const fields = fc.constantFrom<Field>("actor", "resource", "tenant", "payload", "ts", "action", "prevHash");

describe("chain verification (property-based)", () => {
  it("accepts every untouched chain", () => {
    fc.assert(fc.property(chain, (entries) => verifyChain(entries, { head: headOf(entries) }).ok));
  });

  it("detects any single modification, naming the entry", () => {
    fc.assert(
      fc.property(chain, fc.nat(), fields, (entries, n, field) => {
        const i = n % entries.length;
        const copy = [...entries];
        copy[i] = tamper(entries[i] as LedgerEntry, field);
        const report = verifyChain(copy, { head: headOf(entries) });
        expect(report.problem).toMatchObject({ kind: "modified", seq: i + 1 });
      }),
    );
  });

  it("detects a modification whose hash was recomputed", () => {
    fc.assert(
      fc.property(chain, fc.nat(), fields, (entries, n, field) => {
        const i = n % entries.length;
        const forged = tamper(entries[i] as LedgerEntry, field);
        const copy = [...entries];
        copy[i] = { ...forged, hash: entryHash(forged) };
        expect(verifyChain(copy, { head: headOf(entries) }).ok).toBe(false);
      }),
    );
  });

  it("detects any single deletion", () => {
    fc.assert(
      fc.property(chain, fc.nat(), (entries, n) => {
        const i = n % entries.length;
        const report = verifyChain(entries.toSpliced(i, 1), { head: headOf(entries) });
        expect(report.problem).toMatchObject({ kind: "deleted", seq: i + 1 });
      }),
    );
  });

  it("detects any single insertion, however the forged entry was built", () => {
    fc.assert(
      fc.property(chain, fc.nat(), input, fc.nat(), (entries, n, extra, seqPick) => {
        const i = n % (entries.length + 1);
        const prev = entries[i - 1];
        const [forged] = linkEntries(
          [extra],
          { seq: seqPick % 2 ? (prev?.seq ?? 0) : i, hash: prev?.hash ?? GENESIS_HASH },
          "2026-01-01T00:00:00.000Z",
        );
        const report = verifyChain(entries.toSpliced(i, 0, forged as LedgerEntry), { head: headOf(entries) });
        expect(report.ok).toBe(false);
      }),
    );
  });

  it("detects any swap of two entries", () => {
    fc.assert(
      fc.property(chain, fc.nat(), fc.nat(), (entries, a, b) => {
        const i = a % entries.length;
        const j = b % entries.length;
        fc.pre(i !== j);
        const copy = [...entries];
        [copy[i], copy[j]] = [copy[j] as LedgerEntry, copy[i] as LedgerEntry];
        const report = verifyChain(copy, { head: headOf(entries) });
        expect(report.problem).toMatchObject({ kind: "reordered", seq: Math.min(i, j) + 1 });
      }),
    );
  });
});
