import { eq } from "drizzle-orm";
import { loadAgentConfig } from "../agents/config.ts";
import { modelFor } from "../agents/models.ts";
import { loadPersonas } from "../agents/personas.ts";
import { tenants } from "../controller/db/schema.ts";
import { asPlatform } from "../controller/db/scope.ts";
import type { createApp } from "../controller/http/app.ts";
import { createTenant } from "../controller/http/tenant-routes.ts";
import type { Runtime } from "../controller/runtime.ts";
import { releaseRun } from "../graphs/run-lifecycle.ts";
import { toolsets } from "../mcp-servers/catalog.ts";
import { localRunner } from "./agent-runner.ts";
import { ChatPrinter, chatSession, lineReader } from "./chat-session.ts";
import { waitForApprovals } from "./wait-approvals.ts";

/**
 * `factory start` with a model configured: a live conversation with the founder in the controller's own
 * process, on the terminal, about `tenant` (created if missing, resumed where it stopped). Approvals are
 * another operator's to give, as everywhere; the chat waits for them.
 */
export async function chatOnStart(
  runtime: Runtime,
  app: ReturnType<typeof createApp>,
  options: { tenant: string; githubPaced: boolean },
): Promise<void> {
  const config = loadAgentConfig();
  const personas = await loadPersonas(config.personasDir, toolsets());
  const printer = new ChatPrinter(false);
  const [exists] = await asPlatform(runtime.database.db, (tx) =>
    tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, options.tenant)),
  );
  if (!exists)
    await createTenant(
      runtime.database.db,
      runtime.ledger,
      { id: options.tenant, displayName: options.tenant },
      "operator:admin",
    );
  const local = await localRunner(runtime, app, {
    actor: "operator:admin",
    githubPaced: options.githubPaced,
    modelFor: (persona) => {
      const p = personas.get(persona);
      return p ? modelFor(p, config) : undefined;
    },
    onEvent: (e) => printer.show(e),
  });
  const answers = lineReader(process.stdin);
  const thread = `${options.tenant}/chat`;
  printer.show({
    type: "step",
    phase: "intake",
    message: `chatting with ${options.tenant}'s founder (Ctrl-D ends the chat; the controller keeps serving)`,
  });
  try {
    await chatSession({
      runner: local.runner,
      run: { tenant: options.tenant, thread },
      printer,
      answers,
      approvalsDecided: (approvals) =>
        waitForApprovals((id) => runtime.approvals.show(id), approvals, {
          pollMs: 1000,
          log: (line) => printer.show({ type: "approval", message: line.trim() }),
        }),
    });
  } finally {
    answers.close();
    await releaseRun(thread);
    await local.close();
  }
}
