import { z } from "zod";
import { globMatches } from "../client/glob.ts";

/**
 * A grant's scope: entries of tool patterns and resource-name patterns, `*` as the wildcard. A call is in
 * scope when one entry matches both its tool and its resource. Role templates use the same shape with a
 * `{tenant}` placeholder, filled in when a grant is minted.
 */
export const ScopeEntry = z.object({
  tools: z.array(z.string().regex(/^[a-z0-9_*]+$/, "must be a tool name or pattern")).min(1),
  resources: z.array(z.string().regex(/^[A-Za-z0-9._/*-]+$/, "must be a resource name or pattern")).min(1),
});
export const GrantScope = z.array(ScopeEntry).min(1);
export type ScopeEntry = z.infer<typeof ScopeEntry>;
export type GrantScope = z.infer<typeof GrantScope>;

/**
 * Does `outer` match everything `inner` matches? Taking `inner` literally works: its `*` can only be
 * absorbed by a wildcard of `outer`, which absorbs any expansion just as well. Conservative, never unsound.
 */
export function globCovers(outer: string, inner: string): boolean {
  return globMatches(outer, inner);
}

/** Fills the `{tenant}` placeholder of a role template's patterns. */
export function bindTenant(
  scope: readonly { tools: string[]; resources: string[] }[],
  tenant: string,
): GrantScope {
  return scope.map((e) => ({
    tools: [...e.tools],
    resources: e.resources.map((r) => r.replaceAll("{tenant}", tenant)),
  }));
}

/** The tool/resource pairs of `inner` that no entry of `outer` covers, for a denial's reason. */
export function uncovered(outer: GrantScope, inner: GrantScope): string[] {
  const covered = (t: string, r: string) =>
    outer.some((o) => o.tools.some((ot) => globCovers(ot, t)) && o.resources.some((or) => globCovers(or, r)));
  return inner.flatMap((i) =>
    i.tools.flatMap((t) => i.resources.filter((r) => !covered(t, r)).map((r) => `${t} on ${r}`)),
  );
}

/** Is every tool/resource pair of `inner` covered by some entry of `outer`? */
export function scopeCovers(outer: GrantScope, inner: GrantScope): boolean {
  return uncovered(outer, inner).length === 0;
}

/** May a holder of `scope` call `tool` on the resource named `resource`? */
export function scopeAllows(scope: GrantScope, tool: string, resource: string): boolean {
  return scope.some(
    (e) => e.tools.some((t) => globMatches(t, tool)) && e.resources.some((r) => globMatches(r, resource)),
  );
}
