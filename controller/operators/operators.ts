import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, count, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/database.ts";
import { operators } from "../db/schema.ts";
import { asPlatform } from "../db/scope.ts";

/** Roles an operator can hold; approval rules name them as approvers. */
export const OperatorRole = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, "must be a lowercase role name such as platform-admin");

export interface Operator {
  id: string;
  name: string;
  roles: string[];
}

/** API keys are 32 random bytes; only their SHA-256 is stored, so a database dump reveals no usable key. */
const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

export async function createOperator(
  db: Db,
  input: { name: string; roles: string[] },
): Promise<{ operator: Operator; key: string }> {
  const roles = z.array(OperatorRole).min(1).parse(input.roles);
  const key = `sfk_${randomBytes(32).toString("base64url")}`;
  const operator = { id: `op_${randomUUID()}`, name: input.name, roles };
  await asPlatform(db, (tx) => tx.insert(operators).values({ ...operator, keyHash: hashKey(key) }));
  return { operator, key };
}

/** The operator holding `key`, unless unknown or revoked. */
export async function authenticateOperator(db: Db, key: string): Promise<Operator | undefined> {
  const [row] = await asPlatform(db, (tx) =>
    tx
      .select({ id: operators.id, name: operators.name, roles: operators.roles })
      .from(operators)
      .where(and(eq(operators.keyHash, hashKey(key)), isNull(operators.revokedAt))),
  );
  return row;
}

/**
 * On first start there is no operator: creates `admin` (platform-admin, security-lead) and returns its key,
 * to be shown once. Afterwards returns undefined.
 */
export async function ensureBootstrapAdmin(db: Db): Promise<string | undefined> {
  const [existing] = await asPlatform(db, (tx) => tx.select({ n: count() }).from(operators));
  if ((existing?.n ?? 0) > 0) return undefined;
  try {
    return (await createOperator(db, { name: "admin", roles: ["platform-admin", "security-lead"] })).key;
  } catch {
    return undefined; // another controller created it at the same moment; its key was shown there
  }
}
