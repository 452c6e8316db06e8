import { z } from "zod";

/** A secret is named by reference (resolved through the controller at apply time), never by value. */
export const SecretRef = z
  .string()
  .regex(/^secret:\/\/[a-z0-9][a-z0-9/_.-]*$/, "must be a secret:// reference, never a value")
  .describe("where the value comes from, e.g. secret://acme/npm-token");
