const patternCache = new Map<string, RegExp>();
function regexOf(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(
      `^${pattern
        .split("*")
        .map((p) => p.replace(/[.+?^${}()|[\]\\/-]/g, "\\$&"))
        .join(".*")}$`,
      "s",
    );
    if (patternCache.size < 10_000) patternCache.set(pattern, re);
  }
  return re;
}

/** Does `pattern` (with `*` wildcards) match the concrete `name`? Grants' scopes and role templates use it. */
export function globMatches(pattern: string, name: string): boolean {
  return pattern === "*" || regexOf(pattern).test(name);
}

/** Could a holder of `scope` call `tool` on some resource? What a server lists before any resource is known. */
export function toolInScope(scope: readonly { tools: readonly string[] }[], tool: string): boolean {
  return scope.some((entry) => entry.tools.some((pattern) => globMatches(pattern, tool)));
}
