/**
 * The same writes, applied at once on the caller's own connection, one transaction per write:
 * for an in-memory database (`:memory:` exists only on its one connection, so no writer thread can
 * reach it, and there is no fsync to share).
 */
import { applyBatch, type SqliteConnection, type StatementCache } from "./applyBatch";
import type { DurableWriter, SqlRows, SqlWrite } from "./sqlWrite";
import { StoreWriteError, writeErrorOf } from "./writeErrors";

export class InlineWriter implements DurableWriter {
  private readonly cache: StatementCache = new Map();
  private closed = false;

  constructor(private readonly db: SqliteConnection) {}

  async write(statements: SqlWrite): Promise<SqlRows> {
    if (this.closed) throw new StoreWriteError("the store is closed", "SETLAB_CLOSED");
    const [result] = applyBatch(this.db, this.cache, [{ id: 0, statements }]).results;
    if (result.failure) throw writeErrorOf(result.failure);
    return result.rows as SqlRows;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
