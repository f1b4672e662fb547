export type { SqliteConnection } from "./applyBatch";
export * from "./durableWriter";
export * from "./groupCommitWriter";
export * from "./inlineWriter";
export * from "./sqlWrite";
export * from "./writeErrors";
