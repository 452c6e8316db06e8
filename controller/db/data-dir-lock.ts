import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Another live process holds the embedded database. */
export class DataDirBusyError extends Error {
  override name = "DataDirBusyError";
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite is one process's database: two processes opening the same data directory would corrupt it. This
 * takes an exclusive lock file (created with O_EXCL, holding the pid), taking over a lock whose process died.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, "factory.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
    if (Number.isInteger(holder) && holder !== process.pid && alive(holder))
      throw new DataDirBusyError(
        `the embedded database in ${dataDir} is in use by process ${holder} (a running \`factory start\`?); stop it first, or point DATABASE_URL at a PostgreSQL server to share one database`,
      );
    await rm(path, { force: true }); // stale: its process is gone
  }
  throw new DataDirBusyError(`could not lock ${dataDir}`);
}
