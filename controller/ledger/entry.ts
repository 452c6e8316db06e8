import { hash } from "node:crypto";
import { z } from "zod";
import { TenantId } from "../ids.ts";
import { canonicalJson, type JsonValue } from "./canonical-json.ts";

/** The hash a chain starts from: the `prevHash` of entry 1. */
export const GENESIS_HASH = "0".repeat(64);

/** Strings the database stores byte-for-byte: no NUL (jsonb and text refuse it) and no lone surrogates. */
const StorableString = z
  .string()
  .refine(
    (s) => !s.includes("\u0000") && s.isWellFormed(),
    "must be valid Unicode text without NUL characters",
  );

/** JSON a PostgreSQL jsonb column round-trips exactly, so the hash recomputed from storage matches. */
export const StorableJson: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    StorableString,
    z.number().refine(Number.isFinite, "must be a finite number"),
    z.boolean(),
    z.null(),
    z.array(StorableJson),
    z.record(StorableString, StorableJson),
  ]),
);

const Hash = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits");

/** What a writer supplies; sequence, time and chaining are the ledger's job. */
export const EntryInput = z.object({
  tenant: TenantId.nullable().describe("the tenant the event belongs to; null for platform events"),
  actor: StorableString.pipe(z.string().min(1).max(300)).describe(
    "who acted: agent id, operator or component",
  ),
  action: z
    .string()
    .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, "must be dotted lowercase words, e.g. grant.minted"),
  resource: StorableString.pipe(z.string().min(1).max(1000)).describe("what was acted on"),
  payload: z.record(StorableString, StorableJson),
});
export type EntryInput = z.infer<typeof EntryInput>;

/** The hashed body of an entry: everything but its own hash. */
export const EntryBody = EntryInput.extend({
  seq: z.number().int().positive(),
  ts: z.iso.datetime({ precision: 3 }),
  prevHash: Hash,
});
export type EntryBody = z.infer<typeof EntryBody>;

export const LedgerEntry = EntryBody.extend({ hash: Hash });
export type LedgerEntry = z.infer<typeof LedgerEntry>;

/** The RFC 8785 canonical JSON of an entry body; the top-level keys are written in their sorted order. */
export function canonicalEntry(b: EntryBody): string {
  const str = JSON.stringify;
  return `{"action":${str(b.action)},"actor":${str(b.actor)},"payload":${canonicalJson(b.payload)},"prevHash":${str(b.prevHash)},"resource":${str(b.resource)},"seq":${str(b.seq)},"tenant":${str(b.tenant)},"ts":${str(b.ts)}}`;
}

export const sha256Hex = (text: string) => hash("sha256", text, "hex");

/** SHA-256 over the RFC 8785 canonical JSON of the entry body (which includes the previous hash). */
export function entryHash(body: EntryBody): string {
  return sha256Hex(canonicalEntry(body));
}

/** An entry as stored: its canonical body, exactly the bytes its hash covers. */
export interface StoredEntry {
  seq: number;
  body: string;
  hash: string;
}

export function storedForm(entry: LedgerEntry): StoredEntry {
  return { seq: entry.seq, body: canonicalEntry(entry), hash: entry.hash };
}

export function entryFromStored(stored: StoredEntry): LedgerEntry {
  return { ...(JSON.parse(stored.body) as EntryBody), hash: stored.hash };
}

const PREV = '"prevHash":"';
const SEQ = '"seq":';
/**
 * The chaining fields of a canonical body without parsing it. Top-level keys come in sorted order and every
 * string value is JSON-escaped, so after the top-level `prevHash` and `seq` keys no raw `"prevHash":"` or
 * `"seq":` can occur (a nested payload key could, but payload sorts before both): the last match is the
 * top-level one.
 */
export function chainFields(body: string): { seq: number; prevHash: string } {
  const p = body.lastIndexOf(PREV);
  const q = body.lastIndexOf(SEQ);
  return {
    prevHash: p < 0 ? "" : body.slice(p + PREV.length, p + PREV.length + 64),
    seq: q < 0 ? Number.NaN : Number.parseInt(body.slice(q + SEQ.length, q + SEQ.length + 20), 10),
  };
}

/** Numbers and chains validated inputs onto a head: the pure core of appending. */
export function linkEntries(
  inputs: readonly EntryInput[],
  head: { seq: number; hash: string },
  ts: string,
): LedgerEntry[] {
  let seq = head.seq;
  let prevHash = head.hash;
  return inputs.map((input) => {
    const body: EntryBody = { ...input, seq: ++seq, ts, prevHash };
    const entry = { ...body, hash: entryHash(body) };
    prevHash = entry.hash;
    return entry;
  });
}
