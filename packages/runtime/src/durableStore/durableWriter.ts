/**
 * The writer a SQLite store uses: group commit through a writer thread for a database file, the
 * store's own connection for an in-memory database.
 */
import type { SqliteConnection } from "./applyBatch";
import { type GroupCommitOptions, GroupCommitWriter } from "./groupCommitWriter";
import { InlineWriter } from "./inlineWriter";
import type { DurableWriter } from "./sqlWrite";

export function durableWriter(
  file: string,
  db: SqliteConnection,
  options: GroupCommitOptions,
): DurableWriter {
  return file === ":memory:" || file === "" ? new InlineWriter(db) : new GroupCommitWriter(file, options);
}
