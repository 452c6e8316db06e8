import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { readOrCreate } from "../ledger/keys.ts";

/** The vault's stored values could not be decrypted: a different key, or a tampered row. */
export class VaultKeyError extends Error {
  override name = "VaultKeyError";
}

/**
 * The vault's AES-256-GCM key, derived (HKDF-SHA256) from a key file kept in keysDir beside the ledger's
 * keys: outside the database, so a copy of the database alone reveals no secret.
 */
export class VaultKey {
  /** A hash prefix of the derived key, stored with each value so a key change is told from tampering. */
  readonly id: string;
  readonly #key: Buffer;

  constructor(material: Buffer) {
    this.#key = Buffer.from(hkdfSync("sha256", material, "", "startup-factory vault aes-256-gcm v1", 32));
    this.id = createHash("sha256").update(this.#key).digest("hex").slice(0, 16);
  }

  /** `v1:<key id>:<iv>:<tag>:<ciphertext>`; `context` (tenant and ref) is bound as associated data. */
  encrypt(value: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv).setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString("base64url"));
    return ["v1", this.id, ...parts].join(":");
  }

  decrypt(stored: string, context: string): string {
    const [version, keyId, iv, tag, body] = stored.split(":");
    if (version !== "v1" || !iv || !tag || body === undefined)
      throw new VaultKeyError("the stored value is not in the vault's format");
    if (keyId !== this.id)
      throw new VaultKeyError(`the value was stored under vault key ${keyId}, not the current ${this.id}`);
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#key, Buffer.from(iv, "base64url"))
        .setAAD(Buffer.from(context))
        .setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString(
        "utf8",
      );
    } catch {
      throw new VaultKeyError("the stored value failed authentication (tampered, or moved to another ref)");
    }
  }
}

/** Fresh in-memory key (tests). */
export const generateVaultKey = () => new VaultKey(randomBytes(32));

/** Loads `vault.key` from keysDir (0700), creating it (0600) on first start. */
export async function loadVaultKey(keysDir: string): Promise<VaultKey> {
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  const text = await readOrCreate(
    join(keysDir, "vault.key"),
    () => `${randomBytes(32).toString("base64")}\n`,
  );
  return new VaultKey(Buffer.from(text.trim(), "base64"));
}
