import { sql } from "drizzle-orm";
import type { Database, Tx } from "../db/database.ts";
import { listen } from "../db/listen.ts";
import type { RevocationList } from "./revocations.ts";

/** The PostgreSQL channel revocations are announced on, in the revoking transaction (delivered on commit). */
export const REVOCATION_CHANNEL = "factory_grant_revocations";

/** NOTIFY payloads are limited to 8000 bytes; grant ids are ~40 characters. */
const PER_NOTIFICATION = 150;

/** What travels on the channel: revoked grant ids, or a tenant killed at a moment (epoch seconds). */
type Announcement = { jtis: string[] } | { tenant: string; at: number };

const notify = (tx: Tx, message: Announcement) =>
  tx.execute(sql`select pg_notify(${REVOCATION_CHANNEL}, ${JSON.stringify(message)})`);

/** Announces revoked grant ids to every process following the feed, once `tx` commits. */
export async function announceRevocations(tx: Tx, jtis: readonly string[]): Promise<void> {
  for (let i = 0; i < jtis.length; i += PER_NOTIFICATION)
    await notify(tx, { jtis: jtis.slice(i, i + PER_NOTIFICATION) });
}

/** Announces a tenant kill: one small message however many grants the tenant holds. */
export function announceTenantKill(tx: Tx, tenant: string, at: number): Promise<unknown> {
  return notify(tx, { tenant, at });
}

export interface RevocationFeed {
  stop(): Promise<void>;
}

/**
 * Keeps `list` current in this process: loads every revocation, applies each announcement as it arrives,
 * and reconciles with the table every `reconcileSeconds` as a safety net for a dropped connection.
 */
export async function followRevocations(
  database: Database,
  list: RevocationList,
  options: { reconcileSeconds: number; onError?: (error: unknown) => void },
): Promise<RevocationFeed> {
  const apply = (payload: string) => {
    try {
      const message = JSON.parse(payload) as Announcement;
      if ("jtis" in message) list.add(message.jtis);
      else list.addTenant(message.tenant, message.at);
    } catch (error) {
      options.onError?.(error);
    }
  };
  const unlisten = await listen(database, REVOCATION_CHANNEL, apply);
  await list.reload(database.db);
  const timer = setInterval(() => {
    list.reload(database.db).catch((error) => options.onError?.(error));
  }, options.reconcileSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await unlisten();
    },
  };
}
