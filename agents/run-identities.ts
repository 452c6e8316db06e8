import type { RuntimeStore } from "./runtime-store.ts";

/**
 * Which agent plays each part of a run (its founder, each team member), so whichever process resumes the run
 * acts as the same agents: an approval answers only the agent that asked for it. Agent ids only, never
 * grants: a resumed part gets a fresh grant for its old identity from whoever may renew it.
 */
export interface RunIdentities {
  get(thread: string, part: string): Promise<string | undefined>;
  remember(thread: string, part: string, agentId: string): Promise<void>;
}

/** Identities in the runtime store (`runtime.run_agents`), shared by every process on it. */
export async function storedIdentities(store: RuntimeStore): Promise<RunIdentities> {
  await store.pool.query(`create schema if not exists runtime;
    create table if not exists runtime.run_agents (
      thread text not null, part text not null, agent_id text not null,
      primary key (thread, part))`);
  return {
    async get(thread, part) {
      const { rows } = await store.pool.query(
        "select agent_id from runtime.run_agents where thread = $1 and part = $2",
        [thread, part],
      );
      return (rows[0] as { agent_id: string } | undefined)?.agent_id;
    },
    async remember(thread, part, agentId) {
      await store.pool.query(
        `insert into runtime.run_agents (thread, part, agent_id) values ($1, $2, $3)
         on conflict (thread, part) do update set agent_id = excluded.agent_id`,
        [thread, part, agentId],
      );
    },
  };
}

/** Identities in this process only, for runs whose checkpoints live in memory too. */
export function memoryIdentities(): RunIdentities {
  const known = new Map<string, string>();
  return {
    get: async (thread, part) => known.get(`${thread}\u0000${part}`),
    remember: async (thread, part, agentId) => {
      known.set(`${thread}\u0000${part}`, agentId);
    },
  };
}
