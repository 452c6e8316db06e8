/** Collects a spawned child's grant, as its parent: from this process's AI server, or over HTTP. */
export type ClaimSpawned = (agentId: string) => Promise<{ token: string } | undefined>;

/** The AI server at `<base>/mcp/ai` hands a child's grant to its parent, who shows its own AI grant. */
export function httpClaim(base: string, parentAiToken: string, fetcher: typeof fetch = fetch): ClaimSpawned {
  return async (agentId) => {
    const response = await fetcher(
      `${base.replace(/\/$/, "")}/mcp/ai/spawned/${encodeURIComponent(agentId)}`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${parentAiToken}` },
      },
    );
    if (response.status === 404) return undefined;
    if (!response.ok)
      throw new Error(`claiming ${agentId} failed: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as { token: string };
  };
}
