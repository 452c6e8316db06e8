import { createHmac } from "node:crypto";
import type { JsonValue } from "./canonical-json.ts";

/** Wraps a value that must never be stored in clear; the ledger keeps only its keyed HMAC. */
export class Sensitive {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** Keyed fingerprint: `hmac-sha256:<key id>:<hex>`. */
  fingerprint(key: HmacKey): string {
    return `hmac-sha256:${key.id}:${createHmac("sha256", key.secret).update(this.#value).digest("hex")}`;
  }
  toJSON(): never {
    throw new TypeError("a Sensitive value cannot be serialised; append it through the ledger");
  }
  toString(): string {
    return "[sensitive]";
  }
}

export const sensitive = (value: string) => new Sensitive(value);

/** The HMAC key lives outside the database; its id (a hash prefix) lets readers tell keys apart after rotation. */
export interface HmacKey {
  id: string;
  secret: Buffer;
}

export type PayloadInput = { [key: string]: PayloadValue };
export type PayloadValue = JsonValue | Sensitive | PayloadValue[] | { [key: string]: PayloadValue };

/** Replaces every Sensitive value with `{ "$hmac": fingerprint }`; everything else is copied as is. */
export function redactSensitive(value: PayloadValue, key: HmacKey): JsonValue {
  if (value instanceof Sensitive) return { $hmac: value.fingerprint(key) };
  if (Array.isArray(value)) return value.map((v) => redactSensitive(v, key));
  if (value !== null && typeof value === "object") {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactSensitive(v, key);
    return out;
  }
  return value;
}
