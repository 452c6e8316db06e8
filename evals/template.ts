import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { localRunner, RUNTIME_STORE_DIR } from "../cli/agent-runner.ts";
import { embeddedSandboxes } from "../cli/embedded-sandboxes.ts";
import { loadConfig } from "../controller/config.ts";
import { createApp } from "../controller/http/app.ts";
import { openRuntime } from "../controller/runtime.ts";
import { keepsRunsOnDisk, type Scenario } from "./scenario.ts";
import { readsDatabase } from "./tenant-database.ts";

/**
 * The configuration of a world in `dir`: always the embedded database, and the sandboxes unless `live` gives
 * the user's provider variables (recording against live providers), never the rest of the user's setup.
 */
export const worldConfig = (
  dir: string,
  org = "acme",
  policiesDir?: string,
  live: Record<string, string | undefined> = {},
) =>
  loadConfig({
    ...live,
    FACTORY_DATA_DIR: dir,
    FACTORY_PORT: "0",
    FACTORY_SANDBOX_PORT: "0",
    FACTORY_SANDBOX_ADO_PORT: "0",
    FACTORY_SANDBOX_GITHUB_ORG: org,
    ...(policiesDir ? { FACTORY_POLICIES_DIR: policiesDir } : {}),
  });

/**
 * A lifecycle may provision the tenant's database, and a world may seed or grade it: its world wants the
 * tenants' shared cluster made already (a cold one is an initdb of seconds).
 */
const provisions = (scenario: Scenario) => scenario.run.kind === "lifecycle" || readsDatabase(scenario);

/** The part of a template a world copies only if its scenario needs it (a cold PGlite otherwise). */
export const runtimeStoreOf = (dir: string) => join(dir, RUNTIME_STORE_DIR);

/** The controller's migrated database as a `dumpDataDir()` tarball: each world runs it in memory. */
export const CONTROLLER_SNAPSHOT = "controller.tar";
/** The tenants' shared database cluster, made (initdb) once as a tarball: a world runs it in memory. */
export const TENANT_CLUSTER_SNAPSHOT = "tenant-shared.tar";

/**
 * A snapshot held in memory. PGlite reads a snapshot with `arrayBuffer()`, which Node 20 answers by
 * streaming the blob in chunks and joining them (about 0.2 s for 40 MB, in every world); a copy of the bytes
 * held here takes a few milliseconds.
 */
class HeldSnapshot extends Blob {
  readonly #bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    super([bytes]);
    this.#bytes = bytes;
  }
  override arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.resolve(this.#bytes.slice().buffer);
  }
}

/** Each template's snapshots, read once per process. */
const snapshots = new Map<string, Promise<Blob>>();
export const snapshotOf = (template: string, file = CONTROLLER_SNAPSHOT) => {
  const path = join(template, file);
  let found = snapshots.get(path);
  if (!found) {
    found = readFile(path).then((bytes) => new HeldSnapshot(bytes));
    snapshots.set(path, found);
  }
  return found;
};

/** A PGlite's data directory, uncompressed, as the tarball a world restores. */
const writeSnapshot = async (pg: PGlite, file: string) =>
  writeFile(file, Buffer.from(await (await pg.dumpDataDir("none")).arrayBuffer()));

/** Whether the template holds a snapshot (a tenant cluster is made only for scenarios that want one). */
export const hasSnapshot = (template: string, file: string) =>
  access(join(template, file)).then(
    () => true,
    () => false,
  );

/**
 * A world's data directory made once per eval run and copied into each world: the controller's database
 * migrated (as a snapshot each world restores in memory), its keys and the sandbox App's key made (an RSA key
 * pair alone is most of a cold start), and what some of `scenarios` need besides, each a cold PGlite of about
 * 4 s made once rather than in every world: the runtime's own store (runs kept on disk) and the tenants' shared
 * database cluster (a lifecycle provisions it).
 */
export async function migratedTemplate(
  scenarios: Scenario[] = [],
): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "sf-eval-template-"));
  const config = worldConfig(dir);
  const runtime = await openRuntime(
    config,
    embeddedSandboxes(config, () => {}),
  );
  const runtimeStore = async () =>
    (
      await localRunner(runtime, createApp(runtime, config.http), {
        actor: "operator:admin",
        githubPaced: false,
        modelFor: () => undefined,
      })
    ).close();
  const sharedCluster = async () => {
    const cluster = new PGlite();
    await cluster.waitReady;
    await writeSnapshot(cluster, join(dir, TENANT_CLUSTER_SNAPSHOT));
    await cluster.close();
  };
  try {
    // One after the other: PGlite runs on this one thread, so side by side would gain nothing.
    if (scenarios.some(keepsRunsOnDisk)) await runtimeStore();
    if (scenarios.some(provisions)) await sharedCluster();
    const { database } = runtime;
    if (database.kind !== "pglite") throw new Error("an eval world's database is always embedded");
    await writeSnapshot(database.client, join(dir, CONTROLLER_SNAPSHOT));
  } finally {
    await runtime.close();
  }
  if (config.database.kind === "pglite") await rm(config.database.dataDir, { recursive: true, force: true });
  return {
    dir,
    dispose: async () => {
      snapshots.delete(dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
