export type { SqliteConnection } from "./applyBatch";
export { durableWriter } from "./durableWriter";
export { type GroupCommitOptions, type GroupCommitStats, GroupCommitWriter } from "./groupCommitWriter";
export { InlineWriter } from "./inlineWriter";
export type { DurableWriter, SqlRows, SqlStatement, SqlValue, SqlWrite } from "./sqlWrite";
export { StoreWriteError, type WriteFailure, WriteRefusedError, writeErrorOf } from "./writeErrors";
