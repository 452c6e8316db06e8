import { sql } from "drizzle-orm";
import type { Database, Tx } from "../db/database.ts";
import { listen } from "../db/listen.ts";

export type ApprovalStatus = "pending" | "approved" | "denied" | "expired";

/** Approval changes are announced on this channel in the changing transaction (delivered on commit). */
export const APPROVAL_CHANNEL = "factory_approvals";

/** What travels on the channel: which approval changed; listeners read the rest under their own rights. */
export interface ApprovalChange {
  id: string;
  tenant: string;
  status: ApprovalStatus;
}

export function announceApproval(tx: Tx, change: ApprovalChange): Promise<unknown> {
  return tx.execute(sql`select pg_notify(${APPROVAL_CHANNEL}, ${JSON.stringify(change)})`);
}

/**
 * Fans approval changes from every controller sharing the database out to this process's subscribers
 * (the SSE stream). Subscribers get changes only after they commit.
 */
export class ApprovalFeed {
  readonly #listeners = new Set<(change: ApprovalChange) => void>();
  #unlisten: (() => Promise<void>) | undefined;

  static async follow(database: Database): Promise<ApprovalFeed> {
    const feed = new ApprovalFeed();
    feed.#unlisten = await listen(database, APPROVAL_CHANNEL, (payload) => {
      let change: ApprovalChange;
      try {
        change = JSON.parse(payload) as ApprovalChange;
      } catch {
        return;
      }
      for (const listener of feed.#listeners) listener(change);
    });
    return feed;
  }

  /** Calls `listener` for every change until the returned function is called. */
  subscribe(listener: (change: ApprovalChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.#listeners.clear();
    await this.#unlisten?.();
  }
}
