import type { z } from "zod";
import type { GitHubClient } from "./client.ts";
import { asFactoryError, GitHubInputError } from "./errors.ts";

/** One typed GitHub operation: its input schema (described for models), whether it writes, and how it runs. */
export interface Operation<I extends z.ZodType = z.ZodType, O = unknown> {
  /** The tool name it backs, `<area>_<verb>_<noun>`. */
  name: string;
  summary: string;
  write: boolean;
  input: I;
  /** The resource it acts on, for errors and intents, e.g. `acme/acme-app@main`. */
  resource(input: z.output<I>): string;
  run(client: GitHubClient, input: z.output<I>): Promise<O>;
}

export const operation = <I extends z.ZodType, O>(op: Operation<I, O>): Operation<I, O> => op;

/** Validates the input (naming the bad field), runs the operation, and types whatever GitHub answered. */
export async function invoke<I extends z.ZodType, O>(
  client: GitHubClient,
  op: Operation<I, O>,
  raw: unknown,
): Promise<O> {
  const parsed = op.input.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GitHubInputError(op.name, issue?.path.join(".") || "(input)", issue?.message ?? "invalid");
  }
  try {
    return await op.run(client, parsed.data);
  } catch (error) {
    throw asFactoryError(op.name, op.resource(parsed.data), error);
  }
}

/** Is this the client's error for a status? (for operations that treat a 404 as an answer) */
export const hasStatus = (error: unknown, status: number) => (error as { status?: number }).status === status;
