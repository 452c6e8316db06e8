import type { Database } from "./database.ts";

/** Follows a PostgreSQL NOTIFY channel on either backend; resolves to the function that stops listening. */
export async function listen(
  database: Database,
  channel: string,
  onPayload: (payload: string) => void,
): Promise<() => Promise<void>> {
  if (database.kind === "postgres") {
    const request = await database.client.listen(channel, onPayload);
    return () => request.unlisten();
  }
  return database.client.listen(channel, onPayload);
}
