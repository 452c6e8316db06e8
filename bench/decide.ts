import { join } from "node:path";
import { loadPolicies } from "../controller/policy/policies.ts";
import type { DecisionRequest } from "../controller/policy/request.ts";
import { fmt, percentile } from "./stats.ts";

const requests: DecisionRequest[] = [
  {
    principal: { tenant: "acme", persona: "dev", role: "dev" },
    action: "call_tool",
    resource: { server: "github", kind: "repository", name: "acme-api" },
    context: { tool: "contents_commit_files" },
  },
  {
    principal: { tenant: "acme", persona: "dev", role: "dev" },
    action: "call_tool",
    resource: { server: "github", kind: "org", name: "acme" },
    context: { tool: "orgs_set_membership" },
  },
  {
    principal: { tenant: "acme", persona: "founder", role: "founder" },
    action: "call_tool",
    resource: { server: "github", kind: "repository", name: "acme-web" },
    context: { tool: "repos_create_repository", usage: { repos: 25 } },
  },
  // Needs approval: two Cedar evaluations.
  {
    principal: { tenant: "acme", persona: "ops", role: "ops" },
    action: "call_tool",
    resource: { server: "azure-devops", kind: "service_connection", name: "acme-azure" },
    context: { tool: "service_connections_create_connection" },
  },
  {
    principal: { tenant: "acme", persona: "founder", role: "founder" },
    action: "spawn_agent",
    resource: { server: "ai", kind: "team", name: "acme" },
    context: { childPersona: "dev", children: 2, depth: 1 },
  },
];

export interface DecideFigures {
  kind: string;
  decisions: number;
  p50us: number;
  p99us: number;
  maxus: number;
}

/** Request `i`, made unique by its resource name so no earlier decision answers it. */
function unique(i: number): DecisionRequest {
  const base = requests[i % requests.length] as DecisionRequest;
  return { ...base, resource: { ...base.resource, name: `${base.resource.name}-${i}` } };
}

function measure(kind: string, n: number, decide: (i: number) => unknown): DecideFigures {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    decide(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  samples.sort((a, b) => a - b);
  return {
    kind,
    decisions: n,
    p50us: percentile(samples, 50),
    p99us: percentile(samples, 99),
    maxus: samples.at(-1) ?? 0,
  };
}

/**
 * Latency of `decide()` over a mix of allow, deny, quota, needs-approval and spawn requests: each request new
 * (Cedar evaluates it), and the same requests again (answered from the engine's memo).
 */
export async function benchDecide(n: number): Promise<DecideFigures[]> {
  const { engine } = await loadPolicies(join(import.meta.dirname, "../policies"));
  for (let i = 0; i < 500; i++) engine.decide(unique(1_000_000 + i));
  return [
    measure("new request (Cedar)", n, (i) => engine.decide(unique(i))),
    measure("repeated request", n, (i) => engine.decide(requests[i % requests.length] as DecisionRequest)),
  ];
}

export function formatDecide(rows: DecideFigures[]): Record<string, string | number>[] {
  return rows.map((f) => ({
    request: f.kind,
    decisions: fmt(f.decisions),
    "p50 µs": fmt(f.p50us, 1),
    "p99 µs": fmt(f.p99us, 1),
    "max µs": fmt(f.maxus, 1),
    "p99 vs 1 ms target": `${fmt(f.p99us / 10, 1)}%`,
  }));
}
