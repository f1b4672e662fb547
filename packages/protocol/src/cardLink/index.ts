/**
 * `@setlab/protocol/card-link`: the card link's two Node socket ends over the secure link
 * (docs/card-link.md). The PC end connects to the phone; the phone end listens and hosts a card.
 * Kept out of the package root, which stays free of sockets: only programs that open a card link
 * import this entry point.
 */

export type { NewBond } from "../card";
export { BondCache, type BondCacheOptions, type PcBond } from "./bondCache";
export type { BondKeeper } from "./bondKeeper";
export { CardTransportError } from "./cardTransportError";
export {
  connectCardLink,
  MAX_FLIGHT,
  PcCardLink,
  type PcCardLinkOptions,
  parsePhoneAddress,
} from "./pcCardLink";
export {
  type LinkContext,
  type LinkLimits,
  type PairingCodeSource,
  type PairingOptions,
  type PhoneCardLink,
  startPhoneCardLink,
} from "./phoneCardLink";
