/**
 * Why a durable write did not happen. Either way nothing of that write is in the database.
 * - `WriteRefusedError`: a statement's `changes` precondition did not hold (the store maps it to
 *   its own meaning: an order changed meanwhile, an account that does not exist).
 * - `StoreWriteError`: SQLite refused or failed (a constraint, a full disk, an I/O error, a
 *   failed COMMIT) or the store is closed; `code` is SQLite's extended code when there is one.
 */
export class WriteRefusedError extends Error {
  override readonly name = "WriteRefusedError";

  constructor(
    /** Index of the statement whose row count was not the one demanded. */
    readonly statement: number,
    readonly changes: number,
    readonly expected: number,
  ) {
    super(`statement ${statement} changed ${changes} rows, not ${expected}: the write was refused`);
  }
}

export class StoreWriteError extends Error {
  override readonly name = "StoreWriteError";

  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** What crosses the thread boundary for a failed write (errors do not keep their class there). */
export type WriteFailure =
  | {
      readonly kind: "refused";
      readonly statement: number;
      readonly changes: number;
      readonly expected: number;
    }
  | { readonly kind: "failed"; readonly code: string; readonly message: string };

export function writeErrorOf(f: WriteFailure): WriteRefusedError | StoreWriteError {
  return f.kind === "refused"
    ? new WriteRefusedError(f.statement, f.changes, f.expected)
    : new StoreWriteError(f.message, f.code);
}
