/** @setlab/mediator: the PC program that relays between the shop and the card, memory only. */

// The card link's PC end lives in @setlab/protocol/card-link; what a caller of runPurchase needs is here too.
export { BondCache, CardTransportError, PcCardLink } from "@setlab/protocol/card-link";
export {
  type Completion,
  type PInitResAnswer,
  type PResAnswer,
  PurchaseStop,
  type SelectAnswer,
} from "./cardAnswers";
export { type LoadInitiationOptions, loadInitiation } from "./initiation";
export { type InquiryOptions, runInquiry } from "./inquiry";
export {
  type CardAccess,
  type Outcome,
  type OutcomeKind,
  type Party,
  type PurchaseOptions,
  runPurchase,
  type Step,
  type Timeouts,
} from "./mediator";
export type { MerchantAnswer } from "./merchantAnswer";
export { type HostChannel, type NativeHostOptions, runNativeHost } from "./nativeHost";
export {
  type CancelMessage,
  type ExtensionMessage,
  type HostMessage,
  nativeHostName,
  nativeHostProtocol,
  type OrderMessage,
  type OutcomeMessage,
  type PayMessage,
  type ProgressMessage,
  readExtensionMessage,
  type StartMessage,
} from "./nativeHostProtocol";
export {
  encodeNativeMessage,
  maxExtensionMessageBytes,
  maxHostMessageBytes,
  NativeMessageError,
  NativeMessageReader,
} from "./nativeMessaging";
