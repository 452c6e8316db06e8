import type { Context } from "hono";

/**
 * The environment of requests the controller's process sends to its own app: the MCP servers mounted
 * beside it reach the controller through `app.fetch(request, IN_PROCESS)`. Only code in this process holds
 * this object, so no caller from outside can claim it.
 */
export const IN_PROCESS: Readonly<{ inProcess: true }> = Object.freeze({ inProcess: true });

/** Was this request sent by this very process? */
export const isInProcess = (c: Context): boolean => c.env === IN_PROCESS;
