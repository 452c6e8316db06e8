import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { type Ed25519PublicJwk, keyIdOf, publicJwkOf } from "../ed25519-jwk.ts";

interface RingKey {
  kid: string;
  createdAt: number;
  privateKey: KeyObject;
  publicJwk: Ed25519PublicJwk;
}

const RingFile = z.object({ keys: z.array(z.object({ kid: z.string(), createdAt: z.number().int() })) });

export type PublishedJwk = Ed25519PublicJwk & { kid: string; alg: "EdDSA"; use: "sig" };

/**
 * The controller's grant signing keys. The newest key signs; after a rotation the older keys stay published
 * in the JWKS for `overlapSeconds` (at least the longest grant life) so grants they signed still verify.
 * Private keys stay in this process: in memory, or as 0600 PKCS#8 files in a 0700 directory.
 */
export class GrantKeyRing {
  #keys: RingKey[];
  readonly #overlapSeconds: number;
  readonly #dir: string | undefined;

  private constructor(keys: RingKey[], overlapSeconds: number, dir?: string) {
    this.#keys = keys;
    this.#overlapSeconds = overlapSeconds;
    this.#dir = dir;
  }

  /** A ring held only in memory (tests, benchmarks). */
  static inMemory(overlapSeconds: number, now = Date.now()): GrantKeyRing {
    return new GrantKeyRing([newKey(now)], overlapSeconds);
  }

  /** Loads the ring from `dir`, creating its first key on first start. */
  static async open(dir: string, overlapSeconds: number, now = Date.now()): Promise<GrantKeyRing> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    let listed: z.infer<typeof RingFile>["keys"] = [];
    try {
      listed = RingFile.parse(JSON.parse(await readFile(join(dir, "ring.json"), "utf8"))).keys;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const keys = await Promise.all(
      listed.map(async ({ kid, createdAt }) => {
        const privateKey = createPrivateKey(await readFile(join(dir, `${kid}.pem`), "utf8"));
        return { kid, createdAt, privateKey, publicJwk: publicJwkOf(privateKey) };
      }),
    );
    const ring = new GrantKeyRing(keys, overlapSeconds, dir);
    if (keys.length === 0) await ring.rotate(now);
    return ring;
  }

  /** The key new grants are signed with. */
  get current(): { kid: string; privateKey: KeyObject } {
    return this.#keys.at(-1) as RingKey;
  }

  /** Starts signing with a fresh key; earlier keys stay published for the overlap window. */
  async rotate(now = Date.now()): Promise<string> {
    const key = newKey(now);
    this.#keys = [...this.#published(now), key];
    if (this.#dir) {
      const dir = this.#dir;
      await writeFile(join(dir, `${key.kid}.pem`), key.privateKey.export({ type: "pkcs8", format: "pem" }), {
        mode: 0o600,
        flag: "wx",
      });
      const ring = JSON.stringify(
        { keys: this.#keys.map(({ kid, createdAt }) => ({ kid, createdAt })) },
        null,
        2,
      );
      await writeFile(join(dir, "ring.json.tmp"), ring, { mode: 0o600 });
      await rename(join(dir, "ring.json.tmp"), join(dir, "ring.json"));
    }
    return key.kid;
  }

  /** Keys still accepted: the current one, and older ones until their successor is `overlapSeconds` old. */
  #published(now: number): RingKey[] {
    return this.#keys.filter((_key, i) => {
      const successor = this.#keys[i + 1];
      return !successor || now - successor.createdAt < this.#overlapSeconds * 1000;
    });
  }

  /** The JWKS document served at /.well-known/jwks.json. */
  jwks(now = Date.now()): { keys: PublishedJwk[] } {
    return {
      keys: this.#published(now).map((k) => ({ ...k.publicJwk, kid: k.kid, alg: "EdDSA", use: "sig" })),
    };
  }
}

function newKey(now: number): RingKey {
  const { privateKey } = generateKeyPairSync("ed25519");
  const publicJwk = publicJwkOf(privateKey);
  return { kid: keyIdOf(publicJwk), createdAt: now, privateKey, publicJwk };
}
