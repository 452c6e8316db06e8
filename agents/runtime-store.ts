import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** Where the agent runtime keeps its own state (graph checkpoints, the run queue), as a connection URL. */
export interface RuntimeStore {
  url: string;
  close(): Promise<void>;
}

export type RuntimeStoreTarget = { kind: "postgres"; url: string } | { kind: "pglite"; dir?: string };

/**
 * A PostgreSQL server as is, or an embedded PGlite of the runtime's own served on a loopback port through
 * pglite-socket, so the `pg` clients of LangGraph's checkpointer and the job queue reach it unchanged. The
 * runtime's PGlite is not the controller's: pglite-socket makes one session of every connection, and the
 * controller's transactions must never interleave with another client's.
 */
export async function openRuntimeStore(target: RuntimeStoreTarget): Promise<RuntimeStore> {
  if (target.kind === "postgres") return { url: target.url, close: async () => {} };
  if (target.dir) await mkdir(target.dir, { recursive: true });
  const db = target.dir ? new PGlite(target.dir) : new PGlite();
  await db.waitReady;
  // Room for every pool the runtime opens (checkpointer and queue, a few connections each).
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 64 });
  await server.start();
  const port = Number(server.getServerConn().split(":").at(-1));
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
