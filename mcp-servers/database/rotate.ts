import { randomBytes } from "node:crypto";
import { DatabaseFactoryError, messageOf } from "./errors.ts";
import type { TenantLocation } from "./locate.ts";
import { appSecretRef, ident, literal, type TenantNames } from "./names.ts";
import type { Rotation } from "./results.ts";
import { scramVerifier } from "./scram.ts";
import type { TenantDatabaseTarget } from "./target.ts";

/** Where a new credential goes: the controller's vault, which answers with its keyed fingerprint. */
export interface SecretSink {
  store(ref: string, value: string): Promise<{ ref: string; fingerprint: string }>;
}

/**
 * Gives the application role a new random password: set as a SCRAM verifier (the clear value never reaches
 * the server) inside a transaction that commits only once the vault has stored the value, so a vault
 * failure leaves the old password in force. The old password stops working at commit.
 */
export async function rotateAppPassword(
  target: TenantDatabaseTarget,
  names: TenantNames,
  location: TenantLocation,
  vault: SecretSink,
): Promise<Rotation> {
  const password = randomBytes(32).toString("base64url");
  const ref = appSecretRef(names.tenant);
  let stored: { ref: string; fingerprint: string };
  try {
    stored = await target.transaction(location.database, async (sql) => {
      await sql.exec(
        `alter role ${ident(names.app)} with login password ${literal(scramVerifier(password))}`,
      );
      return vault.store(ref, password);
    });
  } catch (error) {
    // No `cause`: the driver's error carries the statement, and the statement carries the verifier.
    throw new DatabaseFactoryError(
      "rotate the application role's credentials",
      names.tenant,
      `rolled back, the old password stays in force: ${messageOf(error)}`,
    );
  }
  return {
    tenant: names.tenant,
    role: names.app,
    ref: stored.ref,
    fingerprint: stored.fingerprint,
    passwordEnforced: target.passwordsEnforced,
    ...(target.passwordsEnforced
      ? {}
      : {
          note: "embedded PGlite serves no logins: the password is set on the role and stored in the vault, but nothing checks it until the tenant moves to a PostgreSQL server",
        }),
  };
}
