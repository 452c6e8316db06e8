import { resolve } from "node:path";
import { HumanMessage } from "@langchain/core/messages";
import { eq } from "drizzle-orm";
import { Cassette } from "../agents/cassette.ts";
import { loadAgentConfig } from "../agents/config.ts";
import { modelFor } from "../agents/models.ts";
import { loadPersonas } from "../agents/personas.ts";
import { operators, tenants } from "../controller/db/schema.ts";
import { asPlatform } from "../controller/db/scope.ts";
import type { createApp } from "../controller/http/app.ts";
import { createTenant } from "../controller/http/tenant-routes.ts";
import { createOperator, type Operator } from "../controller/operators/operators.ts";
import type { Runtime } from "../controller/runtime.ts";
import { driveLifecycle, releaseRun } from "../graphs/run-lifecycle.ts";
import { toolsets } from "../mcp-servers/catalog.ts";
import { localRunner } from "./agent-runner.ts";
import { logEvents } from "./commands/tenants.ts";

/** The founder session `factory start` replays on a fresh machine. */
export const FIRST_STARTUP = resolve(import.meta.dirname, "../sessions/first-startup.jsonl");

/** The operator who approves for the demo, as a person would with `factory approvals approve`. */
async function demoApprover(runtime: Runtime): Promise<Operator> {
  const [known] = await asPlatform(runtime.database.db, (tx) =>
    tx.select().from(operators).where(eq(operators.name, "demo-approver")),
  );
  if (known) return { id: known.id, name: known.name, roles: known.roles as string[] };
  return (await createOperator(runtime.database.db, { name: "demo-approver", roles: ["platform-admin"] }))
    .operator;
}

/**
 * Replays a recorded founder session against this controller, in this process: the tenant created, the
 * founder's model turns played back, the blueprint planned, approved, applied on GitHub and Azure DevOps and
 * the database, the team spawned, the ledger verified. Skipped when the session's tenant exists already.
 */
export async function replaySession(
  runtime: Runtime,
  app: ReturnType<typeof createApp>,
  options: { file?: string; log: (line: string) => void },
): Promise<{ summary: string; verified: boolean; entries: number } | undefined> {
  const cassette = await Cassette.load(options.file ?? FIRST_STARTUP);
  const session = cassette.session;
  if (!session) throw new Error(`${options.file ?? FIRST_STARTUP} has no session line`);
  const [exists] = await asPlatform(runtime.database.db, (tx) =>
    tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, session.tenant)),
  );
  if (exists) {
    options.log(`demo: tenant ${session.tenant} exists already; not replayed (see factory tenants apply)`);
    return undefined;
  }
  const log = options.log;
  log(`demo: replaying a recorded founder session for ${session.name} (tenant ${session.tenant})`);
  await createTenant(
    runtime.database.db,
    runtime.ledger,
    { id: session.tenant, displayName: session.name },
    "operator:admin",
  );
  const personas = await loadPersonas(loadAgentConfig().personasDir, toolsets());
  const local = await localRunner(runtime, app, {
    actor: "operator:admin",
    githubPaced: false,
    modelFor: (persona) => {
      const p = personas.get(persona);
      return p && cassette.for(persona).length > 0 ? modelFor(p, loadAgentConfig(), { cassette }) : undefined;
    },
    onEvent: logEvents(log),
  });
  const approver = await demoApprover(runtime);
  const thread = `${session.tenant}/demo`;
  try {
    const state = await driveLifecycle(
      local.runner,
      { tenant: session.tenant, thread },
      { start: { messages: [new HumanMessage(session.idea)] } },
      {
        async approvalsDecided(approvals) {
          for (const a of approvals) {
            await runtime.approvals.vote(
              a.approvalId,
              approver,
              "approve",
              "approved by the demo, as a person would",
            );
            log(`  approval ${a.approvalId} granted by operator ${approver.name} (${a.tool})`);
          }
        },
        answer: () =>
          Promise.reject(new Error("the recorded session has no answer for the founder's question")),
      },
    );
    const report = await runtime.ledger.verify();
    return { summary: state.summary, verified: report.ok, entries: report.entries };
  } finally {
    await releaseRun(thread);
    await local.close();
  }
}
