/** The IC card: applet, card data and the cardholder's confirmation (pure core). */
export { CardApplet, type CardEnvironment, CardSession, type CommandEvent, cardSwIdent } from "./applet";
export {
  binOf,
  CARD_ID,
  type Card,
  type CardPersonalization,
  type CardState,
  freshCardState,
  PIN_TRIES,
  type TransactionSummary,
} from "./cardData";
export {
  PInitRequestInput,
  PurchaseForm,
  PurchaseInput,
  PurchaseProfile,
  readPInitRequestInput,
  readPurchaseInput,
  samePurchase,
} from "./commandInput";
export {
  autoApprove,
  type ConfirmationPolicy,
  type ConfirmationRequest,
  commonNameOf,
  denyAll,
  formatAmount,
} from "./confirmation";
export { checkGatewayPinned } from "./gatewayPins";
export { PIN_FORMAT, pinDigest } from "./pin";
export { buildCardPReq, type CardPReq, type InitializedTransaction } from "./purchaseRequest";
export type {
  Completed,
  Declined,
  Initialized,
  PInitSent,
  PurchaseOutcome,
  PurchaseSent,
  Transaction,
} from "./transaction";
