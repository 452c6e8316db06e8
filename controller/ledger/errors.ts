import type { Problem } from "./chain.ts";

/** Bad input to the ledger; the message names the field. Nothing was written. */
export class LedgerInputError extends Error {
  override name = "LedgerInputError";
}

/** The database refused or failed a ledger operation; `cause` holds the driver error. */
export class LedgerStorageError extends Error {
  override name = "LedgerStorageError";
}

/** Stored entries do not verify; the ledger will not sign over them. */
export class LedgerTamperedError extends Error {
  override name = "LedgerTamperedError";
  constructor(readonly problem: Problem) {
    super(`the ledger does not verify: ${problem.message}`);
  }
}
