/** Exit codes every `factory` command uses. */
export const EXIT = {
  ok: 0,
  /** A check failed or a decision denied. */
  failed: 1,
  /** Bad arguments, configuration or input files. */
  usage: 2,
  /** The decision is to wait for approval. */
  needsApproval: 3,
  /** The controller could not be reached. */
  unavailable: 4,
} as const;

/** Writes a result: JSON for scripts (`--json`), text for people. */
export function emit(json: boolean, data: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text()}\n`);
}

/** Progress for long operations goes to stderr, and only to a terminal, so pipes and --json stay clean. */
export function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${message}\u001b[K`);
}

export function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write("\r\u001b[K");
}

/** A failure the user can fix; reported without a stack trace, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
  }
}
