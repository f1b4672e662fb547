/** The card command set: APDU-like commands between mediator and card (docs/purchase-flow.md). */
export * from "./apdu";
export * from "./cardDataError";
export * from "./cardLinkError";
export * from "./commandData";
export * from "./commandSet";
export * from "./frame";
export * from "./secureLink";
