import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";

export const root = join(import.meta.dirname, "../..");
export const factoryBin = join(root, "bin/factory.js");
export const verifierBin = join(root, "bin/factory-verify-bundle.js");

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a bin as a child process with only PATH, HOME and `env` in its environment. */
export function run(bin: string, args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, cwd: root },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export interface RunningFactory {
  child: ChildProcess;
  url: string;
  /** The bootstrap admin's key, when this start created it. */
  adminKey: string | undefined;
  stdout(): string;
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code (at once if it has exited already). */
  stop(): Promise<number | null>;
}

/** `factory start` as a child process; resolves once it prints where it listens (and any first-start key). */
export async function startFactory(
  env: Record<string, string>,
  args: string[] = ["--no-demo"],
): Promise<RunningFactory> {
  const child = spawn(process.execPath, [factoryBin, "start", ...args], {
    // Sandboxes on free ports too, so controllers started side by side never collide.
    env: { PATH: process.env.PATH, FACTORY_SANDBOX_PORT: "0", FACTORY_SANDBOX_ADO_PORT: "0", ...env },
    cwd: root,
  });
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
      const match = /controller listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`factory start exited ${code}: ${stdout}`)));
  });
  return {
    child,
    url,
    adminKey: /^ {2}(sfk_\S+)$/m.exec(stdout)?.[1],
    stdout: () => stdout,
    stderr: () => stderr,
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      return exited;
    },
  };
}
