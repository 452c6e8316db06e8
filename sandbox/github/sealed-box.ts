import sodium from "libsodium-wrappers";
import type { Objects } from "../store.ts";

/** A repository's or organisation's Actions secrets key pair, as GitHub keeps it: the private half never leaves. */
export interface SecretsKey {
  keyId: string;
  publicKey: string;
  privateKey: string;
}

/** The key pair for `owner` (e.g. `repo:42`, `org:acme`), made on first use. */
export async function secretsKey(objects: Objects, owner: string): Promise<SecretsKey> {
  const existing = await objects.get<SecretsKey>("secret_key", owner);
  if (existing) return existing;
  await sodium.ready;
  const pair = sodium.crypto_box_keypair();
  const key: SecretsKey = {
    keyId: String(await objects.nextId()),
    publicKey: sodium.to_base64(pair.publicKey, sodium.base64_variants.ORIGINAL),
    privateKey: sodium.to_base64(pair.privateKey, sodium.base64_variants.ORIGINAL),
  };
  await objects.put("secret_key", owner, key);
  return key;
}

/** Opens a sealed box made for `key`; undefined when it was not sealed for it. */
export async function openSealed(key: SecretsKey, encrypted: string): Promise<string | undefined> {
  await sodium.ready;
  try {
    const opened = sodium.crypto_box_seal_open(
      sodium.from_base64(encrypted, sodium.base64_variants.ORIGINAL),
      sodium.from_base64(key.publicKey, sodium.base64_variants.ORIGINAL),
      sodium.from_base64(key.privateKey, sodium.base64_variants.ORIGINAL),
    );
    return sodium.to_string(opened);
  } catch {
    return undefined;
  }
}
