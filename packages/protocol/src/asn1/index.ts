export * from "./codec";
export * from "./constructed";
export * from "./primitives";
export * from "./tlv";
