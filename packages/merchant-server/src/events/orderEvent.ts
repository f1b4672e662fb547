/**
 * What happens to an order, as the shop hears it: one typed event per outcome, in-process
 * (`merchant.on`) and, when configured, as a signed webhook (docs/webhooks.md). The JSON form is
 * the webhook body, so a second implementation can read docs/webhooks.md alone.
 */
import type { OrderState } from "../core/orderState";

/**
 * `refunded`: a credit (CredReq) was given. `reversed`: an authorization cancelled or reduced
 * (AuthRev), a capture reversed (CapRevReq) or a credit taken back (CredRevReq); `reversal` says
 * which of the last two.
 */
export const orderEventTypes = [
  "authorized",
  "partiallyAuthorized",
  "declined",
  "inDoubt",
  "settled",
  "failed",
  "captured",
  "partiallyCaptured",
  "refunded",
  "reversed",
] as const;
export type OrderEventType = (typeof orderEventTypes)[number];

export interface OrderEventAmount {
  readonly amount: number;
  readonly currency: number;
  readonly amtExp10: number;
}

/** The order as the event saw it, after the change. */
export interface OrderEventOrder {
  readonly id: number;
  readonly lidM: string;
  readonly state: OrderState;
  /** The shop's own reference (`createOrder`'s `reference`), when it gave one. */
  readonly reference?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly amount: OrderEventAmount;
}

export interface OrderEvent {
  /** `evt_` and 32 hex digits: unique, so a webhook receiver can drop a repeat delivery. */
  readonly id: string;
  readonly type: OrderEventType;
  /** ISO 8601, when the change that caused it was committed. */
  readonly createdAt: string;
  readonly order: OrderEventOrder;
  /**
   * What the gateway authorized (authorized, partiallyAuthorized, settled with an authorization);
   * reversed: what stays authorized after the reversal (zero when cancelled).
   */
  readonly authorizedAmount?: OrderEventAmount;
  /** reversed: what was authorized before it. */
  readonly previousAuthorizedAmount?: OrderEventAmount;
  /**
   * captured, partiallyCaptured (and refunded, reversed): what the gateway captured (CapRes
   * CapAmt, or a sale's AuthRes).
   */
  readonly capturedAmount?: OrderEventAmount;
  /**
   * authorized: which later authorization of the purchase it announces (2 and on: made with the
   * AuthToken, a split shipment's parts, installments, recurring payments); absent for the first.
   */
  readonly part?: number;
  /** The CompletionCode the buyer was sent in PRes. */
  readonly completionCode?: string;
  /** refunded: what this credit returned (CredRes CapRevOrCredActualAmt). */
  readonly refundedAmount?: OrderEventAmount;
  /** reversed: what this reversal undid (CapRevRes or CredRevRes CapRevOrCredActualAmt). */
  readonly reversedAmount?: OrderEventAmount;
  /** reversed: `capture` (a capture reversal) or `refund` (a credit reversal). */
  readonly reversal?: "capture" | "refund";
  /** refunded: the credit's id; reversed (refund): the id of the credit taken back. */
  readonly creditId?: string;
  /** refunded, reversed (refund): what stands credited after it (credits less credit reversals). */
  readonly totalRefunded?: OrderEventAmount;
  /** settled: the state the doubt ended in. */
  readonly outcome?: OrderState;
  /** failed, inDoubt: why, for the operator (never card data). */
  readonly reason?: string;
}

export type OrderEventListener = (event: OrderEvent) => void | Promise<void>;
