/** The card link without sockets: APDU-like commands, their data, the secure link (docs/card-link.md). */
export * from "./apdu";
export * from "./cardDataError";
export * from "./cardLinkError";
export * from "./commandData";
export * from "./commandSet";
export * from "./frame";
export * from "./linkLimits";
export * from "./secureLink";
