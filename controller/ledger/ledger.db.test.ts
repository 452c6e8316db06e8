import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { event, testLedger } from "../../test/support/ledger.ts";
import { failure } from "../../test/support/pg-error.ts";
import { queryRows } from "../db/database.ts";
import { asPlatform } from "../db/scope.ts";
import { verifyCheckpointSignature } from "./checkpoint.ts";
import { canonicalEntry, entryHash, GENESIS_HASH, sha256Hex } from "./entry.ts";
import { LedgerInputError, LedgerTamperedError } from "./errors.ts";
import { generateLedgerKeys } from "./keys.ts";
import type { Ledger } from "./ledger.ts";
import { verifyConsistency, verifyInclusion } from "./merkle.ts";
import { sensitive } from "./sensitive.ts";

describe.each(backends)("ledger on %s", (backend) => {
  let database: TestDatabase;
  let ledger: Ledger;
  const keys = generateLedgerKeys();

  beforeAll(async () => {
    database = await freshDatabase(backend);
    ledger = testLedger(database, keys);
  });
  afterAll(() => database.dispose());

  it("chains appended entries from genesis", async () => {
    const first = await ledger.append(event(1, null));
    const second = await ledger.append(event(2));
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, tenant: null, action: "intent.recorded" });
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash, tenant: "acme" });
    expect(entryHash(second)).toBe(second.hash);
    expect(await ledger.entries({})).toEqual([first, second]);
    expect(await ledger.head()).toEqual({ seq: 2, hash: second.hash });
  });

  it("keeps one linear chain under concurrent appenders sharing the database", async () => {
    const other = testLedger(database, keys);
    const writes = Array.from({ length: 200 }, (_, i) => (i % 2 ? ledger : other).append(event(i)));
    const written = await Promise.all(writes);
    const seqs = written.map((e) => e.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(200);
    expect(seqs.at(-1)! - seqs[0]! + 1).toBe(200);
    const report = await ledger.verify();
    expect(report).toEqual({ ok: true, entries: (await ledger.head()).seq, checkpointsVerified: 0 });
  });

  it("rejects malformed entries naming the field, and stores nothing", async () => {
    const before = await ledger.head();
    expect(() => ledger.append({ ...event(1), action: "Not An Action" })).toThrow(LedgerInputError);
    expect(() => ledger.append({ ...event(1), action: "Not An Action" })).toThrow(/action/);
    expect(() => ledger.append({ ...event(1), tenant: "ACME" })).toThrow(/tenant/);
    expect(() => ledger.append({ ...event(1), payload: { bad: "nul\u0000byte" } })).toThrow(/payload\.bad/);
    expect(() => ledger.append({ ...event(1), payload: { n: Number.NaN } })).toThrow(/payload\.n/);
    const when = new Date() as unknown as string;
    expect(() => ledger.append({ ...event(1), payload: { at: [when] } })).toThrow(
      /payload\.at\[0\]: a Date is not JSON/,
    );
    expect(await ledger.head()).toEqual(before);
  });

  it("stores sensitive values only as keyed HMACs", async () => {
    const secret = "ghs_SuperSecretInstallationToken123";
    const entry = await ledger.append({
      ...event(3),
      payload: { token: sensitive(secret), list: [sensitive(secret)] },
    });
    const fingerprint = sensitive(secret).fingerprint(keys.hmac);
    expect(fingerprint).toMatch(/^hmac-sha256:[0-9a-f]{16}:[0-9a-f]{64}$/);
    expect(entry.payload).toEqual({ token: { $hmac: fingerprint }, list: [{ $hmac: fingerprint }] });
    const raw = await queryRows<{ dump: string }>(
      database.db,
      sql`select string_agg(payload::text, '') as dump from ledger_entries`,
    );
    expect(raw[0]?.dump).not.toContain(secret);
    expect(raw[0]?.dump).toContain(fingerprint);
    expect(sensitive(secret).fingerprint(generateLedgerKeys().hmac)).not.toBe(fingerprint);
    expect(() => JSON.stringify({ t: sensitive(secret) })).toThrow(/cannot be serialised/);
  });

  it("does not let the application role update, delete or fork the chain", async () => {
    const asApp = (statement: ReturnType<typeof sql>) =>
      failure(() => asPlatform(database.db, (tx) => tx.execute(statement)));
    expect((await asApp(sql`update ledger_entries set body = '{}' where seq = 1`)).code).toBe("42501");
    expect((await asApp(sql`delete from ledger_entries where seq = 1`)).code).toBe("42501");
    expect((await asApp(sql`update ledger_head set seq = 0`)).code).toBe("42501");
    const head = await ledger.head();
    const forge = (seq: number, prevHash: string) => {
      const body = canonicalEntry({
        ...event(0),
        seq,
        prevHash,
        ts: "2026-01-01T00:00:00.000Z",
        actor: "mallory",
      });
      return { body, hash: sha256Hex(body) };
    };
    const insert = (seq: number, row: { body: string; hash: string }) =>
      asApp(sql`insert into ledger_entries (seq, body, hash) values (${seq}, ${row.body}, ${row.hash})`);
    // Rewinding the head is refused before the primary key is even checked.
    expect((await insert(head.seq, forge(head.seq, GENESIS_HASH))).code).toBe("SF002");
    // An entry that does not link to the head.
    expect((await insert(head.seq + 1, forge(head.seq + 1, GENESIS_HASH))).code).toBe("SF002");
    // A body stored under another sequence number than it was hashed with.
    expect((await insert(head.seq + 1, forge(head.seq + 2, head.hash))).code).toBe("SF002");
    // A well-linked entry whose hash is not the SHA-256 of its body.
    expect(
      (await insert(head.seq + 1, { ...forge(head.seq + 1, head.hash), hash: "f".repeat(64) })).code,
    ).toBe("SF003");
    expect(await ledger.head()).toEqual(head);
  });

  it("refuses updates, deletes and truncation even by the owner", async () => {
    const asOwner = (statement: ReturnType<typeof sql>) => failure(() => database.db.execute(statement));
    for (const statement of [
      sql`update ledger_entries set body = '{}' where seq = 1`,
      sql`delete from ledger_entries where seq = 1`,
      sql`truncate ledger_entries`,
    ]) {
      const error = await asOwner(statement);
      expect(error.code).toBe("SF001");
      expect(error.message).toMatch(/append-only/);
    }
  });

  it("signs checkpoints with inclusion and consistency proofs", async () => {
    const first = await ledger.checkpoint();
    expect(first?.treeSize).toBe((await ledger.head()).seq);
    expect(verifyCheckpointSignature(first!, ledger.publicJwk)).toBe(true);
    expect(await ledger.checkpoint()).toEqual(first); // nothing new: same checkpoint
    await ledger.append(event(4, "globex"));
    const second = (await ledger.checkpoint())!;
    expect(second.treeSize).toBe(first!.treeSize + 1);
    const prover = await ledger.prover(second.treeSize);
    const [entry] = await ledger.entries({ afterSeq: 4, limit: 1 });
    const path = prover.inclusion(5).map((h) => Buffer.from(h, "hex"));
    const root = Buffer.from(second.rootHash, "hex");
    expect(verifyInclusion(Buffer.from(entry!.hash, "hex"), 4, second.treeSize, path, root)).toBe(true);
    expect(verifyInclusion(Buffer.from(entry!.hash, "hex"), 5, second.treeSize, path, root)).toBe(false);
    const consistency = prover.consistency(first!.treeSize).map((h) => Buffer.from(h, "hex"));
    expect(
      verifyConsistency(
        first!.treeSize,
        second.treeSize,
        consistency,
        Buffer.from(first!.rootHash, "hex"),
        root,
      ),
    ).toBe(true);
    expect(await ledger.checkpoints()).toEqual([first, second]);
    expect(await ledger.verify()).toMatchObject({ ok: true, checkpointsVerified: 2 });
    expect(await ledger.verify({ merkle: true })).toMatchObject({ ok: true, checkpointsVerified: 2 });
  });
});

describe.each(backends)("tampering with a stored ledger on %s", (backend) => {
  let database: TestDatabase;
  let ledger: Ledger;

  beforeAll(async () => {
    database = await freshDatabase(backend);
    ledger = testLedger(database);
    for (let i = 1; i <= 12; i++) await ledger.append(event(i, i % 2 ? "acme" : "globex"));
    await ledger.checkpoint();
    for (let i = 13; i <= 20; i++) await ledger.append(event(i));
    // An attacker with the owner's password can lift the append-only triggers.
    await database.db.execute(sql`alter table ledger_entries disable trigger user`);
  });
  afterAll(() => database.dispose());

  it("reports the first modified entry, and no checkpoint is signed over it", async () => {
    await database.db.execute(
      sql`update ledger_entries set body = replace(body, '"i":16', '"i":99') where seq = 16`,
    );
    expect((await ledger.verify()).problem).toMatchObject({ kind: "modified", seq: 16 });
    await expect(ledger.checkpoint()).rejects.toThrow(LedgerTamperedError);
    expect((await ledger.checkpoints()).map((c) => c.treeSize)).toEqual([12]);
  });

  it("reports a rewrite that recomputed the hashes against the signed checkpoint", async () => {
    const [e] = await ledger.entries({ afterSeq: 6, limit: 1 });
    const forged = { ...e!, actor: "mallory" };
    await database.db.execute(
      sql`update ledger_entries set body = ${canonicalEntry(forged)}, hash = ${entryHash(forged)} where seq = 7`,
    );
    const report = await ledger.verify();
    expect(report.ok).toBe(false);
    expect(report.problem).toMatchObject({ kind: "modified", seq: 7 });
  });

  it("reports deleted entries", async () => {
    await database.db.execute(sql`delete from ledger_entries where seq = 3`);
    expect((await ledger.verify()).problem).toMatchObject({ kind: "deleted", seq: 3 });
  });
});

describe.each(backends)("a consistent rewrite of the stored chain on %s", (backend) => {
  let database: TestDatabase;
  let ledger: Ledger;
  beforeAll(async () => {
    database = await freshDatabase(backend);
    ledger = testLedger(database);
    for (let i = 1; i <= 10; i++) await ledger.append(event(i));
    await ledger.checkpoint();
    for (let i = 11; i <= 14; i++) await ledger.append(event(i));
  });
  afterAll(() => database.dispose());

  it("is caught by the signed checkpoint, with or without recomputing Merkle roots", async () => {
    // Rewrite entry 4 and re-chain everything after it, head included: the hash chain alone now verifies.
    const entries = await ledger.entries({ limit: 100 });
    let prevHash = entries[2]!.hash;
    await database.db.execute(sql`alter table ledger_entries disable trigger user`);
    for (const original of entries.slice(3)) {
      const body = { ...original, prevHash, actor: original.seq === 4 ? "mallory" : original.actor };
      const hash = entryHash(body);
      await database.db.execute(
        sql`update ledger_entries set body = ${canonicalEntry(body)}, hash = ${hash} where seq = ${body.seq}`,
      );
      prevHash = hash;
    }
    await database.db.execute(sql`update ledger_head set hash = ${prevHash}`);
    for (const merkle of [false, true]) {
      const report = await ledger.verify({ merkle });
      expect(report.ok).toBe(false);
      expect(report.problem).toMatchObject({ kind: "checkpoint", seq: 10 });
    }
  });
});
