/** Resolves once `check` holds, polling every few milliseconds; fails after `ms` with what was awaited. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what = "the condition",
  ms = 5000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what} did not come true within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
