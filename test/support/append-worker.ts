/**
 * A separate OS process appending to the ledger, for the multi-process chain test:
 *   node --import tsx test/support/append-worker.ts <database url> <count> <name>
 * Prints the sequence numbers it was given, as JSON, on stdout.
 */
import { openDatabase } from "../../controller/db/database.ts";
import { generateLedgerKeys } from "../../controller/ledger/keys.ts";
import { Ledger } from "../../controller/ledger/ledger.ts";

const [url, count, name] = process.argv.slice(2);
if (!url || !count || !name) throw new Error("usage: append-worker <database url> <count> <name>");
const database = await openDatabase({ kind: "postgres", url, maxConnections: 4 });
const ledger = new Ledger(database.db, { keys: generateLedgerKeys() });
const seqs: number[] = [];
// Half one at a time (a transaction each), half in a burst (grouped), to interleave with the others both ways.
for (let i = 0; i < Number(count) / 2; i++) {
  seqs.push(
    (
      await ledger.append({
        tenant: null,
        actor: name,
        action: "test.appended",
        resource: `r${i}`,
        payload: { i },
      })
    ).seq,
  );
}
const burst = await Promise.all(
  Array.from({ length: Number(count) / 2 }, (_, i) =>
    ledger.append({
      tenant: "acme",
      actor: name,
      action: "test.appended",
      resource: `b${i}`,
      payload: { i },
    }),
  ),
);
seqs.push(...burst.map((e) => e.seq));
await database.close();
process.stdout.write(JSON.stringify(seqs));
