import type { z } from "zod";
import { invokeOperation, type Operation as ProviderOperation } from "../shared/operation.ts";
import type { AzureDevOpsClient } from "./client.ts";
import { asAzureDevOpsError } from "./errors.ts";

/** One typed Azure DevOps operation. */
export type Operation<I extends z.ZodType = z.ZodType, O = unknown> = ProviderOperation<
  AzureDevOpsClient,
  I,
  O
>;

export const operation = <I extends z.ZodType, O>(op: Operation<I, O>): Operation<I, O> => op;

/** Validates the input, runs the operation, and reports the service's refusals as AzureDevOpsFactoryError. */
export const invoke = <I extends z.ZodType, O>(
  client: AzureDevOpsClient,
  op: Operation<I, O>,
  raw: unknown,
): Promise<O> => invokeOperation(client, op, raw, asAzureDevOpsError);
