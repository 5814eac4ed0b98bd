/**
 * The ledger's refusals and failures. Each says what happened and what a person does next; none carries a
 * resource's attributes (they may hold personal data), only types, ids and names the caller already sent.
 */
import type { ResourceType } from "./ledger.js";

export class LedgerError extends Error {
  override name = "LedgerError";
}

/** Another resource of the same type already holds this userName (User) or displayName (Group). */
export class UniquenessError extends LedgerError {
  override name = "UniquenessError";
  constructor(
    readonly type: ResourceType,
    readonly holderId: string,
    options?: ErrorOptions,
  ) {
    const what = type === "User" ? "userName" : "displayName";
    super(`Another ${type} (id ${holderId}) already has this ${what}, compared case-insensitively`, options);
  }
}

export class NotFoundError extends LedgerError {
  override name = "NotFoundError";
  constructor(
    readonly type: ResourceType,
    readonly id: string,
    options?: ErrorOptions,
  ) {
    super(`No ${type} with id ${id} in the identity ledger`, options);
  }
}

/** Another live process serves this data directory. */
export class LedgerLockedError extends LedgerError {
  override name = "LedgerLockedError";
  constructor(
    readonly lockFile: string,
    readonly pid: number,
    options?: ErrorOptions,
  ) {
    super(
      `The data directory is in use by process ${pid} (lock file ${lockFile}): stop that serve first or ` +
        `pass another --data directory; if no serve is running, delete the lock file`,
      options,
    );
  }
}

/** Reading or writing the data directory failed; `cause` holds the system error. */
export class LedgerIoError extends LedgerError {
  override name = "LedgerIoError";
}
