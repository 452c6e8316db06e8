import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Hono } from "hono";
import { z } from "zod";
import { TenantId } from "../ids.ts";
import { exportBundle } from "../ledger/bundle-export.ts";
import { BUNDLE_FILES } from "../ledger/bundle-format.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { tarFiles } from "../ledger/tar.ts";
import { requireOperator } from "./operator-auth.ts";
import type { PrincipalEnv } from "./principal.ts";
import { Problem, problemType } from "./problem.ts";
import { pathParam, queryParams } from "./validate.ts";

export const EntriesQuery = z.object({
  tenant: TenantId.optional(),
  after: z.coerce.number().int().min(0).default(0).describe("entries after this sequence number"),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export const ExportQuery = z.object({
  tenant: TenantId.optional().describe("only this tenant's entries, each with its inclusion proof"),
});
const Seq = z.coerce.number().int().min(1);

/**
 * The ledger: its head, signed checkpoints and public key for anyone; entries, fresh checkpoints,
 * inclusion proofs and verifiable exports for operators.
 */
export function ledgerRoutes(ledger: Ledger): Hono<PrincipalEnv> {
  const app = new Hono<PrincipalEnv>();
  app.get("/ledger/head", async (c) => c.json(await ledger.head()));
  app.get("/ledger/checkpoints", async (c) => c.json({ checkpoints: await ledger.checkpoints() }));
  app.get("/.well-known/ledger-key.json", (c) => c.json({ keys: [ledger.publicJwk] }));

  app.post("/ledger/checkpoints", requireOperator, async (c) => {
    const checkpoint = await ledger.checkpoint();
    if (!checkpoint)
      throw new Problem(409, problemType("ledger-empty"), "the ledger is empty: nothing to sign");
    return c.json(checkpoint, 201);
  });

  app.get("/ledger/entries", requireOperator, async (c) => {
    const query = queryParams(c, EntriesQuery);
    const entries = await ledger.entries({
      afterSeq: query.after,
      limit: query.limit,
      ...(query.tenant ? { tenant: query.tenant } : {}),
    });
    const last = entries.at(-1);
    return c.json({ entries, next: entries.length === query.limit && last ? last.seq : null });
  });

  app.get("/ledger/entries/:seq/proof", requireOperator, async (c) => {
    const seq = pathParam(c, "seq", Seq);
    const [entry] = await ledger.entries({ afterSeq: seq - 1, limit: 1 });
    if (!entry || entry.seq !== seq)
      throw new Problem(404, problemType("not-found"), `there is no ledger entry ${seq}`);
    const checkpoint = (await ledger.checkpoints()).at(-1);
    if (!checkpoint || checkpoint.treeSize < seq)
      throw new Problem(
        409,
        problemType("not-checkpointed"),
        `entry ${seq} is not under a signed checkpoint yet; POST /ledger/checkpoints to sign one`,
      );
    const prover = await ledger.prover(checkpoint.treeSize);
    return c.json({ entry, checkpoint, inclusion: prover.inclusion(seq) });
  });
  app.get("/ledger/export", requireOperator, async (c) => {
    const query = queryParams(c, ExportQuery);
    const dir = await mkdtemp(join(tmpdir(), "sf-export-"));
    try {
      const manifest = await exportBundle(ledger, dir, query.tenant ? { tenant: query.tenant } : {});
      const files = Object.values(BUNDLE_FILES);
      const name = `ledger-${manifest.tenant ?? "all"}-${manifest.treeSize}`;
      const body = Readable.from(tarFiles(dir, files)).once(
        "close",
        () => void rm(dir, { recursive: true, force: true }),
      );
      return c.body(Readable.toWeb(body) as ReadableStream, 200, {
        "content-type": "application/x-tar",
        "content-disposition": `attachment; filename="${name}.tar"`,
      });
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  });
  return app;
}
