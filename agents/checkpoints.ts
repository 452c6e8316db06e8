import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type { RuntimeStore } from "./runtime-store.ts";

/** LangGraph's PostgreSQL checkpointer in schema `langgraph` of the runtime store, its tables created if missing. */
export async function openCheckpointer(store: RuntimeStore): Promise<PostgresSaver> {
  const saver = new PostgresSaver(store.pool, undefined, { schema: "langgraph" });
  await saver.setup();
  return saver;
}
