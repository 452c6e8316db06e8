import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { z } from "zod";
import { TenantId } from "../ids.ts";

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
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

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

/** SHA-256 over the RFC 8785 canonical JSON of the entry body (which includes the previous hash). */
export function entryHash(body: EntryBody): string {
  const { seq, ts, tenant, actor, action, resource, payload, prevHash } = body;
  const canonical = canonicalize({ seq, ts, tenant, actor, action, resource, payload, prevHash }) as string;
  return createHash("sha256").update(canonical).digest("hex");
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
