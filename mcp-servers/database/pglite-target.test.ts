import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { describe, expect, it } from "vitest";
import { PgliteTarget } from "./pglite-target.ts";

describe("tenant databases in memory", { timeout: 60_000 }, () => {
  it("restores the shared cluster from its snapshot, keeps it while open, and writes nothing to disk", async () => {
    const made = new PGlite();
    await made.exec("create table marker (note text); insert into marker values ('from the snapshot')");
    const shared = await made.dumpDataDir("none");
    await made.close();

    const dir = join(tmpdir(), `sf-memory-${process.pid}-${Date.now()}`);
    const target = new PgliteTarget(dir, { memory: { shared } });
    expect(target.endpoint).toBe(`pglite:${dir}`);
    const notes = () =>
      target.transaction(target.sharedDatabase, (sql) =>
        sql.query<{ note: string }>("select note from marker"),
      );
    expect(await notes()).toEqual([{ note: "from the snapshot" }]);
    await target.transaction(target.sharedDatabase, (sql) => sql.exec("insert into marker values ('added')"));
    expect((await notes()).map((r) => r.note)).toEqual(["from the snapshot", "added"]);

    // A database-isolated tenant's cluster exists once created, and only in memory.
    expect(await target.databaseExists("t_acme")).toBe(false);
    await target.createDatabase("t_acme");
    expect(await target.databaseExists("t_acme")).toBe(true);
    await target.dropDatabase("t_acme");
    expect(await target.databaseExists("t_acme")).toBe(false);

    // Closed, it is gone: opened again, the shared cluster is the snapshot's.
    await target.close();
    expect((await notes()).map((r) => r.note)).toEqual(["from the snapshot"]);
    await target.close();
    expect(existsSync(dir)).toBe(false);
  });
});
