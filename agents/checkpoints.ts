import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import pg from "pg";

/** LangGraph's PostgreSQL checkpointer in schema `langgraph`, its tables created if missing. */
export async function openCheckpointer(
  url: string,
): Promise<{ saver: PostgresSaver; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const saver = new PostgresSaver(pool, undefined, { schema: "langgraph" });
  await saver.setup();
  return { saver, close: () => pool.end() };
}
