/** @setlab/wallet-card: the IC card applet and the phone process that hosts it. */
export {
  autoApprove,
  CARD_ID,
  type Card,
  CardApplet,
  type CardEnvironment,
  type CardPersonalization,
  type CardPReq,
  CardSession,
  type CardState,
  type CommandEvent,
  type Completed,
  type ConfirmationPolicy,
  type ConfirmationRequest,
  type Declined,
  denyAll,
  freshCardState,
  type Initialized,
  type InitializedTransaction,
  PIN_TRIES,
  type PInitSent,
  type PurchaseOutcome,
  type PurchaseSent,
  type Transaction,
  type TransactionSummary,
} from "./card";
export {
  type BondInfo,
  type BondStoreOptions,
  listBonds,
  PhoneBondStore,
  revokeBonds,
} from "./phone/bondStore";
export {
  CARD_FORMAT,
  listCards,
  loadCard,
  loadCards,
  PhoneStoreError,
  readStoredCardState,
  STATE_FORMAT,
  writeCard,
} from "./phone/cardStore";
export { LAB_PIN, type PersonalizeOptions, personalize } from "./phone/personalize";
export { type ConfirmMode, confirmationPolicy, type ServeOptions, servePhone } from "./phone/serve";
