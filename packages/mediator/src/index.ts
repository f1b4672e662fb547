/** @setlab/mediator: the PC program that relays between the shop and the card, memory only. */
export * from "./cardAnswers";
export * from "./cardLink";
export * from "./cardLinkBonds";
export * from "./initiation";
export * from "./mediator";
export * from "./merchantAnswer";
