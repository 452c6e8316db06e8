import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, freshDatabase, type TestDatabase } from "../../test/support/backends.ts";
import { event, testLedger } from "../../test/support/ledger.ts";

const run = promisify(execFile);

// Several processes can share only a PostgreSQL server; PGlite is one process by construction.
describe.runIf(backends.includes("postgres"))("ledger appended by several processes at once", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase("postgres");
  });
  afterAll(() => database.dispose());

  it("never forks or breaks the chain", async () => {
    const ledger = testLedger(database);
    const worker = (name: string) =>
      run(process.execPath, [
        "--import",
        "tsx",
        "test/support/append-worker.ts",
        database.url as string,
        "60",
        name,
      ]);
    const local = Array.from({ length: 60 }, (_, i) => ledger.append(event(i)));
    const [results, written] = await Promise.all([
      Promise.all(["p1", "p2", "p3"].map(worker)),
      Promise.all(local),
    ]);
    const seqs = [...results.flatMap((r) => JSON.parse(r.stdout) as number[]), ...written.map((e) => e.seq)];
    expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: 240 }, (_, i) => i + 1));
    expect(await ledger.verify()).toEqual({ ok: true, entries: 240, checkpointsVerified: 0 });
  });
});
