/**
 * One purchase as the card tracks it within a session: PINIT_REQUEST -> PINIT_RESPONSE ->
 * PURCHASE -> PURCHASE_RESPONSE. Each phase admits only the next command (else 6985).
 */
import type { schema } from "@setlab/protocol";
import type { PurchaseInput } from "./commandInput";
import type { InitializedTransaction } from "./purchaseRequest";

/** PInitReq sent, PInitRes awaited. */
export interface PInitSent {
  readonly phase: "pInitSent";
  readonly rrpid: Uint8Array;
  readonly chall_C: Uint8Array;
  readonly lid_C: Uint8Array;
  readonly lid_M?: Uint8Array;
  readonly brand: string;
  readonly language: string;
}

/** PInitRes verified: the merchant and gateway are known, the purchase may be confirmed. */
export interface Initialized extends InitializedTransaction {
  readonly phase: "initialized";
  readonly merchantName: string;
}

/** PReq signed and handed out, PRes awaited. One signature per confirmed transaction. */
export interface PurchaseSent extends Omit<Initialized, "phase"> {
  readonly phase: "purchaseSent";
  readonly input: PurchaseInput;
  readonly pReqRrpid: Uint8Array;
  /** The wrapped PReq: a re-sent identical PURCHASE gets the same bytes, never a second signature. */
  readonly pReqMessage: Uint8Array;
}

/** The cardholder said no: a new PINIT_REQUEST is needed. */
export interface Declined extends Omit<Initialized, "phase"> {
  readonly phase: "declined";
}

export interface Completed extends Omit<PurchaseSent, "phase"> {
  readonly phase: "completed";
  readonly outcome: PurchaseOutcome;
}

export type Transaction = PInitSent | Initialized | PurchaseSent | Declined | Completed;

/** What PURCHASE_RESPONSE answers: the outcome for the cardholder. */
export interface PurchaseOutcome {
  readonly completionCode: schema.CompletionCode | "error";
  readonly authAmt?: schema.CurrencyAmount;
  readonly authCode?: string;
  readonly error?: { readonly code: string; readonly message: string; readonly signed: boolean };
}
