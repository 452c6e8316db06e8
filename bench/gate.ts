import { z } from "zod";
import type { Database } from "../controller/db/database.ts";
import { decideToolCall } from "../controller/grants/decide-call.ts";
import type { LedgerKeys } from "../controller/ledger/keys.ts";
import { benchServices } from "./services.ts";
import { fmt, percentile } from "./stats.ts";

export interface GateFigures {
  backend: string;
  calls: number;
  /** Per-call latency in µs at p50 and p99. */
  baseline: { p50: number; p99: number };
  read: { p50: number; p99: number };
  /** A grant seen for the first time, on a resource not decided before: nothing cached. */
  coldRead: { p50: number; p99: number };
  write: { p50: number; p99: number };
}

/** Stands in for a tool's own in-process work: validate its arguments, shape a result. */
const Args = z.object({ owner: z.string(), repo: z.string(), path: z.string(), ref: z.string().optional() });
function toolCall(args: unknown): string {
  const parsed = Args.parse(args);
  return JSON.stringify({
    content: [{ type: "text", text: `${parsed.owner}/${parsed.repo}/${parsed.path}` }],
  });
}

async function sample(n: number, work: (i: number) => Promise<unknown> | unknown) {
  const us: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await work(i);
    us.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  us.sort((a, b) => a - b);
  return { p50: percentile(us, 50), p99: percentile(us, 99) };
}

/**
 * The gate's cost per tool call, in process: the same tool call bare, behind verify + decide (a read), and
 * behind verify + decide + a recorded write intent (a write, which commits a ledger entry).
 */
export async function benchGate(
  database: Database,
  name: string,
  keys: LedgerKeys,
  n: number,
): Promise<GateFigures> {
  const { services, tenant, dispose } = await benchServices(database, keys);
  try {
    const { token } = await services.grants.issuer.mint({
      tenant,
      persona: "dev",
      audience: "github",
      actor: "bench",
    });
    const verifier = services.grants.verifierFor("github");
    const engine = services.policies.engine;
    const args = { owner: "org", repo: `${tenant}-api`, path: "README.md" };
    const resource = { kind: "repository", name: `${tenant}-api` };
    const warm = Math.min(200, n);
    for (let i = 0; i < warm; i++) {
      toolCall(args);
      decideToolCall(engine, await verifier.verify(token), { tool: "contents_get_file", resource });
    }
    const baseline = await sample(n, () => toolCall(args));
    const read = await sample(n, async () => {
      const grant = await verifier.verify(token);
      if (decideToolCall(engine, grant, { tool: "contents_get_file", resource }).effect !== "allow")
        throw new Error("the bench read was not allowed");
      return toolCall(args);
    });
    const cold = Math.min(200, n);
    const fresh = await Promise.all(
      Array.from({ length: cold }, () =>
        services.grants.issuer.mint({ tenant, persona: "dev", audience: "github", actor: "bench" }),
      ),
    );
    const coldRead = await sample(cold, async (i) => {
      const grant = await verifier.verify((fresh[i] as { token: string }).token);
      const call = { tool: "contents_get_file", resource: { kind: "repository", name: `${tenant}-r${i}` } };
      if (decideToolCall(engine, grant, call).effect !== "allow")
        throw new Error("the bench read was not allowed");
      return toolCall(args);
    });
    const writes = Math.max(20, Math.floor(n / 10));
    const write = await sample(writes, async (i) => {
      const grant = await verifier.verify(token);
      const decided = await services.intents.record(grant, {
        tool: "contents_commit_files",
        resource,
        idempotencyKey: `bench-${name}-${i}`,
        arguments: { branch: "feature/bench", files: ["README.md"] },
      });
      if (decided.decision !== "allow") throw new Error("the bench write was not allowed");
      return toolCall(args);
    });
    return { backend: name, calls: n, baseline, read, coldRead, write };
  } finally {
    await dispose();
  }
}

const LABELS = {
  read: "read: verify + decide (a grant in use)",
  coldRead: "read: first call with a new grant",
  write: "write: verify + decide + intent",
};

export function formatGate(rows: GateFigures[]): Record<string, string | number>[] {
  return rows.flatMap((r) =>
    (["read", "coldRead", "write"] as const).map((kind) => ({
      backend: r.backend,
      call: LABELS[kind],
      "bare p50 µs": fmt(r.baseline.p50, 1),
      "gated p50 µs": fmt(r[kind].p50, 1),
      "gated p99 µs": fmt(r[kind].p99, 1),
      "added p50 ms": fmt((r[kind].p50 - r.baseline.p50) / 1000, 3),
      "× bare": fmt(r[kind].p50 / r.baseline.p50, 1),
      "vs 0.5 ms read target":
        kind === "write" ? "(no target)" : `${fmt(((r[kind].p50 - r.baseline.p50) / 500) * 100)}%`,
    })),
  );
}
