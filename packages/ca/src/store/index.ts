export * from "./caStore";
export * from "./sqliteCaStore";
