import type { z } from "zod";
import { invokeOperation, type Operation as ProviderOperation } from "../shared/operation.ts";
import type { GitHubClient } from "./client.ts";
import { asFactoryError } from "./errors.ts";

/** One typed GitHub operation. */
export type Operation<I extends z.ZodType = z.ZodType, O = unknown> = ProviderOperation<GitHubClient, I, O>;

export const operation = <I extends z.ZodType, O>(op: Operation<I, O>): Operation<I, O> => op;

/** Validates the input, runs the operation, and reports GitHub's refusals as GitHubFactoryError. */
export const invoke = <I extends z.ZodType, O>(
  client: GitHubClient,
  op: Operation<I, O>,
  raw: unknown,
): Promise<O> => invokeOperation(client, op, raw, asFactoryError);

/** Is this the client's error for a status? (for operations that treat a 404 as an answer) */
export const hasStatus = (error: unknown, status: number) => (error as { status?: number }).status === status;
