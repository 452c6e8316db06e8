/** Every string inside `value` passed through `hide`. */
function hidden(value: unknown, hide: (secret: string) => unknown): unknown {
  if (typeof value === "string") return hide(value);
  if (Array.isArray(value)) return value.map((v) => hidden(v, hide));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hidden(v, hide)]));
  return value;
}

/** `value` with what lies at `steps` (`files`, `[]`, `content`) hidden. */
function hiddenAt(value: unknown, steps: string[], hide: (secret: string) => unknown): unknown {
  const [step, ...rest] = steps;
  if (step === undefined) return hidden(value, hide);
  if (step === "[]") return Array.isArray(value) ? value.map((v) => hiddenAt(v, rest, hide)) : value;
  if (value === null || typeof value !== "object" || !(step in value)) return value;
  return { ...value, [step]: hiddenAt((value as Record<string, unknown>)[step], rest, hide) };
}

/**
 * A tool's arguments with every string under its sensitive paths (dotted, `[]` for each element:
 * `files[].content`) passed through `hide`: marked for the ledger's HMAC, or redacted from a cassette.
 */
export function hideSensitive(
  args: Record<string, unknown>,
  paths: readonly string[],
  hide: (secret: string) => unknown,
): Record<string, unknown> {
  let out: unknown = args;
  for (const path of paths)
    out = hiddenAt(
      out,
      path.split(".").flatMap((p) => (p.endsWith("[]") ? [p.slice(0, -2), "[]"] : [p])),
      hide,
    );
  return out as Record<string, unknown>;
}
