/** @setlab/mediator: the PC program that relays between the shop and the card, memory only. */

// The card link's PC end lives in @setlab/protocol/card-link; what a caller of runPurchase needs is here too.
export { BondCache, CardTransportError, PcCardLink } from "@setlab/protocol/card-link";
export * from "./cardAnswers";
export * from "./initiation";
export * from "./mediator";
export * from "./merchantAnswer";
export * from "./nativeHost";
export * from "./nativeHostProtocol";
export * from "./nativeMessaging";
