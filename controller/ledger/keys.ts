import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Ed25519PublicJwk, publicJwkOf } from "../ed25519-jwk.ts";
import type { HmacKey } from "./sensitive.ts";

/** Key material the ledger uses; it lives outside the database so a database thief cannot forge or unmask. */
export interface LedgerKeys {
  hmac: HmacKey;
  signingKey: KeyObject;
  publicJwk: Ed25519PublicJwk;
}

export function hmacKeyFrom(secret: Buffer): HmacKey {
  return { id: createHash("sha256").update(secret).digest("hex").slice(0, 16), secret };
}

function keysFrom(hmacSecret: Buffer, signingKey: KeyObject): LedgerKeys {
  return { hmac: hmacKeyFrom(hmacSecret), signingKey, publicJwk: publicJwkOf(signingKey) };
}

/** Fresh in-memory keys (tests, benchmarks). */
export function generateLedgerKeys(): LedgerKeys {
  return keysFrom(randomBytes(32), generateKeyPairSync("ed25519").privateKey);
}

/** Reads a key file, creating it (mode 0600, exclusively, so racing processes agree) when absent. */
export async function readOrCreate(path: string, create: () => string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  try {
    await writeFile(path, create(), { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return readFile(path, "utf8");
}

/**
 * Loads the ledger keys from `keysDir` (0700), creating them on first start. An HMAC key given in the
 * configuration takes precedence over the file.
 */
export async function loadLedgerKeys(keysDir: string, configuredHmacKey?: Buffer): Promise<LedgerKeys> {
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  const hmacText = configuredHmacKey
    ? undefined
    : await readOrCreate(join(keysDir, "ledger-hmac.key"), () => `${randomBytes(32).toString("base64")}\n`);
  const pem = await readOrCreate(join(keysDir, "ledger-signing.pem"), () =>
    generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  );
  const hmacSecret = configuredHmacKey ?? Buffer.from((hmacText as string).trim(), "base64");
  return keysFrom(hmacSecret, createPrivateKey(pem));
}
