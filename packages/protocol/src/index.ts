/** @setlab/protocol: SET 1.0 structure with a modern algorithm suite. */
export * from "./asn1";
export * from "./bytes";
export * from "./card";
export * from "./cert";
export * from "./crypto";
export * from "./errors";
export * from "./initiation";
export * from "./messages";
export * from "./money";
export * from "./purchase";
export * as schema from "./schema";
export * from "./wholeSeconds";
