import { scanSecrets } from "../agents/scan/secrets.ts";
import type { ServerName } from "../controller/client/servers.ts";
import { sensitiveLookup } from "../mcp-servers/catalog.ts";
import { hideSensitive } from "../mcp-servers/shared/sensitive-paths.ts";

export const REDACTED = "[redacted]";

const sensitive = sensitiveLookup();

/** A sensitive path that holds text which may hold a secret (a file's content), rather than a secret itself. */
const mayHoldSecret = (path: string) => /(^|\.)content$/.test(path);

/**
 * A tool call's arguments as a cassette may keep them. A secret field (a secret's value, a service
 * connection's key) is always redacted. A file's content is kept so the replay writes the same file, unless
 * secretlint's rules find a secret in it. `tool` is `<server>__<tool>`.
 */
export async function redactForCassette(
  tool: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const [server, name] = tool.split("__") as [ServerName, string];
  const paths = sensitive(server, name);
  let out = hideSensitive(
    args,
    paths.filter((p) => !mayHoldSecret(p)),
    () => REDACTED,
  );
  const texts: string[] = [];
  const contentPaths = paths.filter(mayHoldSecret);
  hideSensitive(out, contentPaths, (text) => texts.push(text));
  const findings = await scanSecrets(texts.map((text, i) => ({ path: `argument-${i}.txt`, text })));
  const leaking = new Set(findings.map((f) => texts[Number(/argument-(\d+)/.exec(f.file)?.[1])]));
  out = hideSensitive(out, contentPaths, (text) => (leaking.has(text) ? REDACTED : text));
  return out;
}

/**
 * What a tool answered, as a cassette may keep it: tools never answer with a secret (a rotation returns a
 * reference and a fingerprint), but provider text is anyone's, so the whole answer is redacted if
 * secretlint's rules find a secret anywhere in it.
 */
export async function redactResultForCassette(result: unknown): Promise<unknown> {
  const text = typeof result === "string" ? result : JSON.stringify(result, null, 1);
  const findings = await scanSecrets([{ path: "result.txt", text }]);
  return findings.length ? REDACTED : result;
}
