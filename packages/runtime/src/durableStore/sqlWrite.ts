/**
 * One durable write to SQLite, described as data so that it can be applied by another thread:
 * statements run in order inside one savepoint, all or nothing. A statement can demand how many
 * rows it changes (`changes`): that is how a write states its precondition ("the order is still
 * `initiated`", "the account exists") inside the same transaction that depends on it.
 */
export type SqlValue = string | number | bigint | Uint8Array | null;

export interface SqlStatement {
  readonly sql: string;
  /** Positional (`?`) values, or named (`@name`) values. */
  readonly params?: readonly SqlValue[] | Readonly<Record<string, SqlValue>>;
  /**
   * The write is refused (nothing of it kept) unless the statement changed exactly this many
   * rows; for a statement that returns rows (RETURNING, SELECT), unless it returned this many.
   */
  readonly changes?: number;
}

export type SqlWrite = readonly SqlStatement[];

/** Per statement of a write, the rows it returned (empty for statements that return none). */
export type SqlRows = readonly (readonly Record<string, unknown>[])[];

/** Writes committed together: each one resolves only after the COMMIT that holds it returned. */
export interface DurableWriter {
  write(statements: SqlWrite): Promise<SqlRows>;
  /** Commit what is queued, then stop; later writes fail with StoreWriteError `closed`. */
  close(): Promise<void>;
}
