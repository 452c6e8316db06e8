import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import type { ApprovalChange } from "../approvals/approval-feed.ts";
import { ApprovalError, type Approvals } from "../approvals/approvals.ts";
import { TenantId } from "../ids.ts";
import { requireOperator } from "./operator-auth.ts";
import type { PrincipalEnv } from "./principal.ts";
import { Problem, problemType } from "./problem.ts";
import { jsonBody, queryParams } from "./validate.ts";

export const ApprovalsQuery = z.object({
  tenant: TenantId.optional(),
  status: z.enum(["pending", "approved", "denied", "expired"]).optional(),
});
export const Vote = z.object({ comment: z.string().max(2000).optional() });

const STATUS: Record<ApprovalError["code"], 403 | 404 | 409> = {
  "not-found": 404,
  "not-eligible": 403,
  "own-lineage": 403,
  "already-voted": 409,
  closed: 409,
};

function asProblem(error: unknown): never {
  if (error instanceof ApprovalError)
    throw new Problem(STATUS[error.code], problemType(`approval-${error.code}`), error.message, undefined, {
      code: error.code,
    });
  throw error;
}

/** How often an idle stream sends a comment, so proxies keep it open. */
const HEARTBEAT_MS = 15_000;

/** Operators list, read, approve and deny pending approvals, and follow them as a server-sent event stream. */
export function approvalRoutes(deps: {
  approvals: Approvals;
  subscribe(listener: (change: ApprovalChange) => void): () => void;
}): Hono<PrincipalEnv> {
  const { approvals } = deps;
  const app = new Hono<PrincipalEnv>();
  const auth = requireOperator;

  app.get("/approvals", auth, async (c) => {
    const query = queryParams(c, ApprovalsQuery);
    return c.json({ approvals: await approvals.list(query) });
  });

  // Before `/approvals/:id`, which would otherwise take "stream" for an id.
  app.get("/approvals/stream", auth, (c) =>
    streamSSE(c, async (stream) => {
      const queue: ApprovalChange[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = deps.subscribe((change) => {
        queue.push(change);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      for (const view of await approvals.list({ status: "pending" }))
        await stream.writeSSE({ event: "approval", id: view.id, data: JSON.stringify(view) });
      while (!stream.aborted) {
        const change = queue.shift();
        if (!change) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, HEARTBEAT_MS).unref();
          });
          wake = undefined;
          if (queue.length === 0 && !stream.aborted) await stream.write(": keep-alive\n\n");
          continue;
        }
        const view = await approvals.show(change.id).catch(() => undefined);
        if (view) await stream.writeSSE({ event: "approval", id: view.id, data: JSON.stringify(view) });
      }
      unsubscribe();
    }),
  );

  app.get("/approvals/:id", auth, async (c) =>
    c.json(await approvals.show(c.req.param("id")).catch(asProblem)),
  );

  for (const vote of ["approve", "deny"] as const)
    app.post(`/approvals/:id/${vote}`, auth, async (c) => {
      const { comment } = await jsonBody(c, Vote);
      const view = await approvals.vote(c.req.param("id"), c.get("operator"), vote, comment).catch(asProblem);
      return c.json(view);
    });

  return app;
}
