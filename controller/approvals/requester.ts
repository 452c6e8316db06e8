import { sql } from "drizzle-orm";
import { z } from "zod";
import { queryRows, type Tx } from "../db/database.ts";

/** Who asked: the agent, its ancestors up to the root, and the person who started the root. */
export const Requester = z.object({
  agents: z.array(z.object({ id: z.string(), persona: z.string() })).describe("the asking agent first"),
  startedBy: z.string().nullable().describe("e.g. operator:alice; none of this lineage may approve"),
});
export type Requester = z.infer<typeof Requester>;

/** Reads an agent's lineage upwards, inside the caller's tenant transaction. */
export async function requesterOf(tx: Tx, agentId: string): Promise<Requester> {
  const rows = await queryRows<{ id: string; persona: string; started_by: string | null }>(
    tx,
    sql`with recursive up as (
          select id, persona, parent_id, started_by, 0 as n from agents where id = ${agentId}
          union all select a.id, a.persona, a.parent_id, a.started_by, up.n + 1
            from agents a join up on a.id = up.parent_id)
        select id, persona, started_by from up order by n`,
  );
  return {
    agents: rows.map((r) => ({ id: r.id, persona: r.persona })),
    startedBy: rows.at(-1)?.started_by ?? null,
  };
}
