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

/**
 * Replaces every Sensitive value with `{ "$hmac": fingerprint }`; everything else is copied as is. Objects
 * other than plain records (a Date, a Map, a class instance) are refused with their path rather than
 * silently flattened to `{}`.
 */
export function redactSensitive(value: PayloadValue, key: HmacKey, path = "payload"): JsonValue {
  if (value instanceof Sensitive) return { $hmac: value.fingerprint(key) };
  if (Array.isArray(value)) return value.map((v, i) => redactSensitive(v, key, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null)
      throw new TypeError(
        `${path}: a ${proto?.constructor?.name ?? "non-plain object"} is not JSON; convert it first`,
      );
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactSensitive(v, key, `${path}.${k}`);
    return out;
  }
  return value;
}
