import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

const ITERATIONS = 4096;

const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();

function keys(password: string, salt: Buffer, iterations: number) {
  // SASLprep is the identity on the printable ASCII passwords this factory generates.
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const storedKey = createHash("sha256").update(hmac(salted, "Client Key")).digest();
  return { storedKey, serverKey: hmac(salted, "Server Key") };
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677, as `pg_authid.rolpassword`
 * holds it). `ALTER ROLE … PASSWORD '<verifier>'` sets the password without the clear value ever reaching
 * the server, so no statement log or `pg_stat_activity` can show it.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  const { storedKey, serverKey } = keys(password, salt, ITERATIONS);
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** Whether `password` is the one a stored verifier was made from: what the server checks at login. */
export function scramMatches(verifier: string, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!m) return false;
  const [, iterations, salt, stored] = m as unknown as [string, string, string, string];
  const { storedKey } = keys(password, Buffer.from(salt, "base64"), Number(iterations));
  const expected = Buffer.from(stored, "base64");
  return expected.length === storedKey.length && timingSafeEqual(expected, storedKey);
}
