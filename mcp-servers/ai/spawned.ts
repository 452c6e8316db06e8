import type { GrantView } from "../../controller/client/views.ts";

/**
 * A child agent spawned through token exchange, as handed to the agent runtime that will run it. Its grant
 * (`token`) goes to the runtime only: never into a tool result, a log or the ledger.
 */
export interface SpawnedAgent {
  agentId: string;
  /** The agent that asked for it (the caller of `agents_spawn_agent`). */
  parentId: string;
  tenant: string;
  persona: string;
  role: string;
  /** The MCP server the child's grant is for: the parent's own. */
  server: string;
  scope: GrantView["scope"];
  depth: number;
  expiresAt: string;
  /** Why the parent spawned it, as the parent said: the child's first task. */
  reason: string;
  token: string;
}

/** Spawned agents are waiting to be claimed and there is no room for another. */
export class SpawnRegistryFull extends Error {
  override name = "SpawnRegistryFull";
}

/**
 * Where spawned agents wait for the agent runtime to claim them, when the server was built without an
 * `onSpawn` hook. Bounded: an unclaimed child is dropped once its grant expires, and a full registry refuses
 * more (the child's grant is then never used and expires on its own).
 */
export class SpawnRegistry {
  readonly #waiting = new Map<string, SpawnedAgent>();
  readonly #capacity: number;
  readonly #clock: () => Date;

  constructor(options: { capacity?: number; clock?: () => Date } = {}) {
    this.#capacity = options.capacity ?? 64;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** How many children wait to be claimed. */
  get size(): number {
    this.#prune();
    return this.#waiting.size;
  }

  /** Keeps a child for the runtime; throws SpawnRegistryFull when `capacity` children already wait. */
  async hold(child: SpawnedAgent): Promise<void> {
    this.#prune();
    if (this.#waiting.size >= this.#capacity)
      throw new SpawnRegistryFull(
        `${this.#waiting.size} spawned agents are waiting for the agent runtime to claim them; ${child.agentId} was not kept and its grant will expire unused`,
      );
    this.#waiting.set(child.agentId, child);
  }

  /** Hands a waiting child (with its grant) to the runtime, once; undefined if unknown, claimed or expired. */
  claim(agentId: string): SpawnedAgent | undefined {
    this.#prune();
    const child = this.#waiting.get(agentId);
    this.#waiting.delete(agentId);
    return child;
  }

  #prune(): void {
    const now = this.#clock().getTime();
    for (const [id, child] of this.#waiting) if (Date.parse(child.expiresAt) <= now) this.#waiting.delete(id);
  }
}
