import { sql } from "drizzle-orm";
import type { Database } from "../controller/db/database.ts";
import { openDatabase } from "../controller/db/database.ts";
import { withTenant } from "../controller/db/scope.ts";
import { followRevocations } from "../controller/grants/revocation-feed.ts";
import { RevocationList } from "../controller/grants/revocations.ts";
import { GrantRevoker } from "../controller/grants/revoke.ts";
import type { LedgerKeys } from "../controller/ledger/keys.ts";
import { Ledger } from "../controller/ledger/ledger.ts";
import { fmt } from "./stats.ts";

export interface KillFigures {
  backend: string;
  grants: number;
  revokeMs: number;
  propagationMs: number;
}

/**
 * Kill-switch propagation: a tenant with `n` live grants is revoked through one connection; measured until a
 * follower on another connection (standing in for a second process) holds every id, and the revoke alone.
 */
export async function benchKillSwitch(
  database: Database,
  name: string,
  keys: LedgerKeys,
  n: number,
  url?: string,
): Promise<KillFigures> {
  const tenant = `kill${Date.now().toString(36)}`;
  await database.db.execute(
    sql`insert into tenants (id, display_name) values (${tenant}, 'kill switch bench')`,
  );
  await withTenant(database.db, tenant, async (tx) => {
    await tx.execute(
      sql`insert into agents (id, tenant_id, persona, depth) values (${`agt_${tenant}`}, ${tenant}, 'founder', 0)`,
    );
    await tx.execute(sql`insert into grants (jti, tenant_id, agent_id, audience, role, scope, issued_at, expires_at)
      select 'grt_' || ${tenant} || '_' || g, ${tenant}, ${`agt_${tenant}`}, 'github', 'founder', '[]'::jsonb, now(), now() + interval '1 hour'
      from generate_series(1, ${n}) as g`);
  });
  const other = url ? await openDatabase({ kind: "postgres", url }) : database;
  const follower = new RevocationList();
  const feed = await followRevocations(other, follower, { reconcileSeconds: 3600 });
  const revoker = new GrantRevoker({
    db: database.db,
    ledger: new Ledger(database.db, { keys }),
    revocations: new RevocationList(),
  });
  const start = performance.now();
  const seen = (async () => {
    while (follower.tenantRevokedAt(tenant) === undefined) await new Promise((r) => setImmediate(r));
    return performance.now() - start;
  })();
  await revoker.revokeTenant(tenant, "bench");
  const revokeMs = performance.now() - start;
  const propagationMs = await seen;
  await feed.stop();
  if (other !== database) await other.close();
  return { backend: name, grants: n, revokeMs, propagationMs };
}

export function formatKill(rows: KillFigures[]): Record<string, string | number>[] {
  return rows.map((r) => ({
    backend: r.backend,
    "live grants": fmt(r.grants),
    "revoke (commit) ms": fmt(r.revokeMs, 1),
    "until a second follower denies, ms": fmt(r.propagationMs, 1),
    "vs 100 ms target": `${fmt(r.propagationMs)}%`,
  }));
}
