import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../db/database.ts";
import { withTenant } from "../db/scope.ts";

export interface LineageGrant {
  jti: string;
  audience: string;
  role: string;
  expiresAt: string;
  revokedAt: string | null;
}

export interface LineageNode {
  id: string;
  persona: string;
  depth: number;
  parentId: string | null;
  revokedAt: string | null;
  grants: LineageGrant[];
  children: LineageNode[];
}

interface Row {
  id: string;
  persona: string;
  depth: number;
  parent_id: string | null;
  revoked_at: string | null;
  grants: LineageGrant[] | string | null;
}

/** The whole tree below (and including) an agent, with every grant each agent holds; undefined if unknown. */
export async function lineage(db: Db, tenant: string, agentId: string): Promise<LineageNode | undefined> {
  const rows = await withTenant(db, tenant, (tx) =>
    queryRows<Row>(
      tx,
      sql`with recursive tree as (
            select * from agents where id = ${agentId}
            union all select a.* from agents a join tree t on a.parent_id = t.id)
          select t.id, t.persona, t.depth, t.parent_id, to_char(t.revoked_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as revoked_at,
            (select coalesce(json_agg(json_build_object(
                'jti', g.jti, 'audience', g.audience, 'role', g.role,
                'expiresAt', to_char(g.expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'revokedAt', to_char(g.revoked_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) order by g.issued_at), '[]')
             from grants g where g.agent_id = t.id) as grants
          from tree t order by t.depth, t.created_at`,
    ),
  );
  const nodes = new Map<string, LineageNode>();
  for (const r of rows) {
    const grants = typeof r.grants === "string" ? (JSON.parse(r.grants) as LineageGrant[]) : (r.grants ?? []);
    nodes.set(r.id, {
      id: r.id,
      persona: r.persona,
      depth: Number(r.depth),
      parentId: r.parent_id,
      revokedAt: r.revoked_at,
      grants,
      children: [],
    });
  }
  for (const node of nodes.values())
    if (node.id !== agentId && node.parentId) nodes.get(node.parentId)?.children.push(node);
  return nodes.get(agentId);
}
