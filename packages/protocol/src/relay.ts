/**
 * `@setlab/protocol/relay`: what a program that relays between a shop and a card needs (the
 * mediator, and a lab or tool that plays the buyer's browser): the initiation object, card
 * commands and card data, the ASN.1 types, SET Errors, amounts, and the embodiments' messages the
 * mediator builds or shows. It leaves out what only the card, the merchant and the gateway run
 * (building and receiving the purchase messages, certificate validation, the SET operators), so a
 * mediator starts after loading about half of the library's modules (docs/performance.md, "Where
 * one `set-lab purchase` went"). Every name here is also exported by `@setlab/protocol`, the same
 * object, so the two can be mixed.
 */

export { encodeDer } from "./asn1";
export { bytesEqual, fromHex, toHex, utf8 } from "./bytes";
export {
  type CardCommand,
  type CardDataType,
  type CardDataValue,
  type CardResponse,
  decodeCardData,
  encodeCardData,
  INS,
  type InsName,
  insName,
  isPairingCode,
  pinTriesLeft,
  SW,
  swName,
} from "./card";
export { type CryptoProvider, defaultProvider } from "./crypto/provider";
export { DecodeError, type ErrorCode, ErrorCodes, SetError } from "./errors";
export {
  type Initiation,
  InitiationError,
  type InitiationProfile,
  initiationProfiles,
  maxInitiationBytes,
  readInitiation,
  setProfileOf,
} from "./initiation";
export { describeInstallRecur, installRecurDataOf } from "./installRecurTerms";
export { buildE1InfoInit } from "./messages/embodiment1/e1InfoInit";
export { buildE2Init } from "./messages/embodiment2/e2Init";
export { isNonForward, readE2OrderForBuyer } from "./messages/embodiment2/e2OrderForBuyer";
export { type ReadError, readError } from "./messages/errorMessage";
export { currencyByAlpha, currencyByCode, formatCurrencyAmount } from "./money";
export * as schema from "./schema";
export { wholeSeconds } from "./wholeSeconds";
