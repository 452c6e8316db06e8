import type { z } from "zod";

/** One typed provider operation: its input schema (described for models), whether it writes, and how it runs. */
export interface Operation<C, I extends z.ZodType = z.ZodType, O = unknown> {
  /** The tool name it backs, `<area>_<verb>_<noun>`. */
  name: string;
  summary: string;
  write: boolean;
  input: I;
  /** The resource it acts on, for errors and intents, e.g. `acme/acme-app@main`. */
  resource(input: z.output<I>): string;
  run(client: C, input: z.output<I>): Promise<O>;
}

/** A field of an operation's input was invalid; the message names it. Nothing was sent to the provider. */
export class OperationInputError extends Error {
  override name = "OperationInputError";
  constructor(
    readonly operation: string,
    readonly field: string,
    message: string,
  ) {
    super(`${operation}: ${field}: ${message}`);
  }
}

/**
 * Validates the input (naming the bad field), runs the operation, and turns whatever the provider's client
 * threw into the factory's error for it (`asError` names the operation and resource).
 */
export async function invokeOperation<C, I extends z.ZodType, O>(
  client: C,
  op: Operation<C, I, O>,
  raw: unknown,
  asError: (operation: string, resource: string, error: unknown) => Error,
): Promise<O> {
  const parsed = op.input.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OperationInputError(op.name, issue?.path.join(".") || "(input)", issue?.message ?? "invalid");
  }
  try {
    return await op.run(client, parsed.data);
  } catch (error) {
    throw asError(op.name, op.resource(parsed.data), error);
  }
}
