import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../db/database.ts";
import { withTenant } from "../db/scope.ts";

/** One agent of a tenant's team and its place in the lineage. */
export interface TeamMember {
  id: string;
  persona: string;
  /** The role template its grants carry, and the MCP server they are for. */
  role: string | null;
  server: string | null;
  parentId: string | null;
  depth: number;
  /** Who started the root of its tree (e.g. `operator:ada`). */
  startedBy: string | null;
  createdAt: string;
  /** The latest expiry among its unrevoked grants. */
  expiresAt: string | null;
  /** `live` while it holds an unexpired, unrevoked grant; `revoked` once it (or an ancestor) was revoked. */
  status: "live" | "expired" | "revoked";
}

interface Row {
  id: string;
  persona: string;
  role: string | null;
  server: string | null;
  parent_id: string | null;
  depth: number | string;
  started_by: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

const iso = (column: string) =>
  sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/**
 * A tenant's agents, parents before children (oldest first): the most recent `limit` of them, and whether
 * older ones were left out.
 */
export async function team(
  db: Db,
  tenant: string,
  options: { limit: number; now: Date },
): Promise<{ tenant: string; agents: TeamMember[]; truncated: boolean }> {
  const rows = await withTenant(db, tenant, (tx) =>
    queryRows<Row>(
      tx,
      sql`select a.id, a.persona, a.parent_id, a.depth, a.started_by,
            ${iso("a.created_at")} as created_at, ${iso("a.revoked_at")} as revoked_at,
            first.role, first.audience as server, ${iso("live.expires_at")} as expires_at
          from agents a
          left join lateral (select g.role, g.audience from grants g where g.agent_id = a.id
                             order by g.issued_at limit 1) first on true
          left join lateral (select max(g.expires_at) as expires_at from grants g
                             where g.agent_id = a.id and g.revoked_at is null) live on true
          order by a.created_at desc, a.id desc
          limit ${options.limit + 1}`,
    ),
  );
  const truncated = rows.length > options.limit;
  const now = options.now.getTime();
  const agents = rows
    .slice(0, options.limit)
    .reverse()
    .map(
      (r): TeamMember => ({
        id: r.id,
        persona: r.persona,
        role: r.role,
        server: r.server,
        parentId: r.parent_id,
        depth: Number(r.depth),
        startedBy: r.started_by,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        status: r.revoked_at
          ? "revoked"
          : r.expires_at && Date.parse(r.expires_at) > now
            ? "live"
            : "expired",
      }),
    );
  return { tenant, agents, truncated };
}
