import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import pg from "pg";

/** Where the agent runtime keeps its own state (graph checkpoints, the run queue): one pool every part shares. */
export interface RuntimeStore {
  url: string;
  pool: pg.Pool;
  close(): Promise<void>;
}

export type RuntimeStoreTarget = { kind: "postgres"; url: string } | { kind: "pglite"; dir?: string };

/**
 * A PostgreSQL server as is, or an embedded PGlite of the runtime's own served on a loopback port through
 * pglite-socket, so the `pg` clients of LangGraph's checkpointer and the job queue reach it unchanged. The
 * runtime's PGlite is not the controller's: pglite-socket makes one session of every connection, and the
 * controller's transactions must never interleave with another client's. For the same reason everything in
 * the runtime shares one connection to it: two connections' extended-protocol messages would interleave in
 * its single session (an unnamed statement parsed by one, bound by the other).
 */
export async function openRuntimeStore(target: RuntimeStoreTarget): Promise<RuntimeStore> {
  if (target.kind === "postgres") {
    const pool = new pg.Pool({ connectionString: target.url, max: 8 });
    return { url: target.url, pool, close: () => pool.end() };
  }
  if (target.dir) await mkdir(target.dir, { recursive: true });
  const db = target.dir ? new PGlite(target.dir) : new PGlite();
  await db.waitReady;
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 8 });
  await server.start();
  const port = Number(server.getServerConn().split(":").at(-1));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  return {
    url,
    pool,
    async close() {
      await pool.end();
      await server.stop();
      await db.close();
    },
  };
}
