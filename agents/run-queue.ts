import type pg from "pg";
import PgBoss from "pg-boss";
import type { RuntimeStore } from "./runtime-store.ts";

/** One step of a run as a queued job: start it, resume it with an answer, or look whether its approvals are in. */
export interface RunJob {
  runId: string;
  tenant: string;
  /** The checkpoint thread, always `<tenant>/<runId>`: a job never reaches another tenant's run. */
  thread: string;
  step: "start" | "resume" | "check";
  input?: unknown;
}

/** Where a run stands, as the queue's workers record it. */
export interface RunRecord {
  id: string;
  tenant: string;
  status: "queued" | "running" | "waiting" | "asking" | "done" | "failed" | "stopped";
  detail: unknown;
}

const QUEUE = "runs";

/** A job claimed a thread outside its tenant. */
export class CrossTenantRun extends Error {
  override name = "CrossTenantRun";
}

export function assertOwnThread(job: RunJob): void {
  if (job.thread !== `${job.tenant}/${job.runId}`)
    throw new CrossTenantRun(`run ${job.runId} of tenant ${job.tenant} may not use thread ${job.thread}`);
}

/**
 * Lifecycle runs as jobs in PostgreSQL (pg-boss), so any number of workers on any number of machines share
 * them; each run's status in `runtime.runs`.
 */
export class RunQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly pool: pg.Pool,
  ) {}

  static async open(store: RuntimeStore): Promise<RunQueue> {
    const pool = store.pool;
    const boss = new PgBoss({
      db: { executeSql: (text, values) => pool.query(text, values) },
      schema: "pgboss",
      supervise: true,
    });
    boss.on("error", (error) => process.stderr.write(`run queue: ${error.message}\n`));
    await boss.start();
    await boss.createQueue(QUEUE);
    await pool.query(`create schema if not exists runtime;
      create table if not exists runtime.runs (
        id text primary key, tenant text not null, status text not null, detail jsonb,
        updated_at timestamptz not null default now())`);
    return new RunQueue(boss, pool);
  }

  /** Queues a run's step; `afterSeconds` delays it (a look at pending approvals, later). */
  async enqueue(job: RunJob, afterSeconds = 0): Promise<void> {
    assertOwnThread(job);
    if (job.step === "start")
      await this.record({ id: job.runId, tenant: job.tenant, status: "queued", detail: null });
    await this.boss.send(
      QUEUE,
      job as unknown as object,
      afterSeconds > 0 ? { startAfter: afterSeconds } : {},
    );
  }

  /** Serves `concurrency` jobs at a time in this process until closed. */
  async work(concurrency: number, handler: (job: RunJob) => Promise<void>): Promise<void> {
    for (let i = 0; i < concurrency; i++)
      await this.boss.work<RunJob>(QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
        if (job) await handler(job.data);
      });
  }

  async record(run: RunRecord): Promise<void> {
    await this.pool.query(
      `insert into runtime.runs (id, tenant, status, detail) values ($1, $2, $3, $4)
       on conflict (id) do update set status = excluded.status, detail = excluded.detail, updated_at = now()
       where runtime.runs.tenant = excluded.tenant`,
      [run.id, run.tenant, run.status, JSON.stringify(run.detail)],
    );
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const { rows } = await this.pool.query(
      "select id, tenant, status, detail from runtime.runs where id = $1",
      [id],
    );
    return rows[0] as RunRecord | undefined;
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}
