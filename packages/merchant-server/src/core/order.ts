/**
 * What the merchant keeps per order: the order itself (description and amount, agreed with the
 * buyer outside SET), and what the PInit pair fixed (TransIDs, challenges, brand and BIN), which the
 * PReq checks compare against. Identifiers are lower-case hex; TransIDs are kept as their DER so
 * the PReq check sees exactly the bytes PInitRes signed.
 */
import type { schema } from "@setlab/protocol";
import type { OrderState } from "./orderState";
import type { OrderTerms } from "./orderTerms";

export interface NewOrder {
  /** The order description (OD is its UTF-8 bytes). */
  readonly description: string;
  readonly purchAmt: schema.CurrencyAmount;
  /** Restricts the order to one brand; absent: every configured brand. */
  readonly brand?: string;
  /**
   * `set` (default) or `hardened` (the cardholder also binds gateway and merchant thumbprints
   * under the dual signature): SET, the patent's third embodiment. `embodiment-1`: the patent's
   * first, in which the shop receives the card information.
   */
  readonly profile?: "set" | "hardened" | "embodiment-1" | "embodiment-2";
  /** The shop's own order number. */
  readonly reference?: string;
  /**
   * A split shipment: the order ships in parts, and the buyer's purchase authorizes only this much
   * (in the order's currency and amtExp10) at first, asking the gateway for an AuthToken
   * (SubsequentAuthInd); each later part is authorized with it (`Merchant.authorizeSubsequent`),
   * the parts adding up to at most the purchase amount.
   */
  readonly firstShipmentAmount?: number;
  /**
   * Installment or recurring terms the buyer agrees to (`orderTerms.ts`): the card signs them, the
   * merchant's HOD check includes them, and the gateway's AuthToken allows the later payments
   * (`Merchant.authorizeSubsequent`).
   */
  readonly terms?: OrderTerms;
  /** The shop's own key-value pairs (bounded: `maxMetadataBytes`). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Fixed by PInitReq/PInitRes. */
export interface PurchaseContext {
  readonly brandID: string;
  readonly bin: string;
  /** DER of the TransIDs PInitRes carried (hex). */
  readonly transIDs: string;
  readonly chall_C: string;
  readonly chall_M: string;
  /** RRPID of the PInitReq the context came from. */
  readonly pInitRRPID: string;
}

/**
 * One PInitRes's XID and what it fixed, kept until a PReq takes it or it expires: an order has as
 * many of these as PInitRes it sent, so no PInitReq turns another one's PReq away.
 */
export interface IssuedPurchase {
  readonly orderId: number;
  /** Hex. */
  readonly xid: string;
  readonly purchase: PurchaseContext;
  readonly issuedAt: string;
  /** Who took it with a verified PReq (`PurchaseAttempt.payer`); absent while it is outstanding. */
  readonly takenBy?: string;
}

/**
 * One authorization of the purchase as the merchant keeps it: the gateway's answer, the tokens it
 * carried, and the capture, credits and reversal made on it since (./authorizationPart.ts). The
 * first authorization is an `Authorization`, each later one a `SubsequentAuthorization`.
 */
export interface AuthorizationRecord {
  /** RRPID of its AuthReq (AuthRRTags.rrpid, hex). */
  readonly authRRPID: string;
  /** The gateway's answer, once a usable one came. */
  readonly authCode?: string;
  readonly authAmt?: schema.CurrencyAmount;
  /** When the merchant received the answer (ISO): its AuthStatus.AuthDate in an InqRes. */
  readonly authDate?: string;
  readonly approvalCode?: string;
  /**
   * Why the authorization failed or is in doubt: the first one's `authorizationFailed`, or why the
   * last attempt of a later one gave no usable answer (its stored AuthReq is sent again on the next
   * call).
   */
  readonly failure?: string;
  /**
   * DER (hex) of the CapToken the AuthRes carried: the gateway's sealed record of the
   * authorization, unreadable here, returned as it is in the CapReq.
   */
  readonly capToken?: string;
  /**
   * DER (hex) of the AuthToken the AuthRes carried, when the purchase allows later authorizations
   * (a split shipment, installments, recurring payments): the gateway's sealed state, unreadable
   * here, returned as the PI of the next AuthReq.
   */
  readonly authToken?: string;
  /**
   * DER (hex) of the AuthReqData the AuthReq carried, sealed to the gateway and so unreadable from
   * the stored AuthReq: an AuthRevReq returns it byte for byte.
   */
  readonly authReqData?: string;
  /**
   * DER (hex) of the AuthResPayload the authorization stands at after a reduction (the AuthRevRes's
   * AuthResPayloadNew); absent, the AuthRes's own.
   */
  readonly authResPayload?: string;
  readonly capture?: Capture;
  /** The capture reversal, credits and credit reversals asked for after the capture, oldest first. */
  readonly capRevOrCreds?: readonly CapRevOrCred[];
  /** The last reversal asked for (AuthRevReq/AuthRevRes). */
  readonly reversal?: AuthReversal;
}

/** The outcome of the authorization round, for GET /orders/:id: the purchase's first authorization. */
export interface Authorization extends AuthorizationRecord {
  readonly gateway: string;
  /** The CompletionCode the merchant sent to the cardholder in PRes. */
  readonly completionCode?: string;
  /**
   * The failure authorized nothing for certain (the gateway answered a SET Error, or was never
   * reached), so the order may be paid again (`purchaseAttempts.ts`).
   */
  readonly authorizedNothing?: boolean;
  /**
   * The gateway may have taken the AuthReq but no usable answer came: the order stays
   * `authorizing` and the merchant sends the stored AuthReq again until the gateway decides.
   */
  readonly inDoubt?: boolean;
  /** The later authorizations of the purchase, in order (`subsequentAuthorization.ts`). */
  readonly subsequent?: readonly SubsequentAuthorization[];
}

/** One later authorization of a purchase, made with the AuthToken the previous one gave. */
export interface SubsequentAuthorization extends AuthorizationRecord {
  /** Which authorization of the purchase this is (the first is 1, so these count from 2); a refused attempt and the next share it. */
  readonly part: number;
  readonly authReqAmt: schema.CurrencyAmount;
  /** The shop's key for the call that asked for it (`authorizeSubsequent`'s `idempotencyKey`). */
  readonly idempotencyKey?: string;
  readonly at: string;
}

/** An authorization reversal (AuthRevReq/AuthRevRes): AuthNewAmt zero cancels, more reduces. */
export interface AuthReversal {
  /** RRPID of the AuthRevReq (AuthRevRRTags.rrpid, hex). */
  readonly authRevRRPID: string;
  readonly authNewAmt: schema.CurrencyAmount;
  /** AuthAmt before the reversal. */
  readonly previousAmt: schema.CurrencyAmount;
  readonly at: string;
  /** The `idempotencyKey` of the call that asked for it. */
  readonly idempotencyKey?: string;
  /** The gateway's AuthRevCode, once it answered. */
  readonly authRevCode?: string;
  /** Why the last attempt gave no usable answer (the stored AuthRevReq is sent again on the next call). */
  readonly failure?: string;
}

/** The capture of an authorization (CapReq/CapRes). */
export interface Capture {
  /** RRPID of the CapReq (CapRRTags.rrpid, hex); absent for a sale, captured by its AuthReq. */
  readonly capRRPID?: string;
  readonly capReqAmt: schema.CurrencyAmount;
  /** The gateway's CapCode and CapAmt, once it answered. */
  readonly capCode?: string;
  readonly capAmt?: schema.CurrencyAmount;
  /** The gateway's settlement batch the capture was booked into, and its place in it. */
  readonly batchID?: number;
  readonly batchSequenceNum?: number;
  readonly at: string;
  /** Why the last attempt gave no usable answer (the stored CapReq is sent again on the next call). */
  readonly failure?: string;
  /** The key `Merchant.capture` was called with, when the shop gave one. */
  readonly idempotencyKey?: string;
}

/**
 * One capture reversal, credit (refund) or credit reversal (CapRevReq, CredReq, CredRevReq and
 * their answers; ./capRevOrCred.ts).
 */
export interface CapRevOrCred {
  /** RRPID of the request (CapRevOrCredRRTags.rrpid, hex): the id a credit reversal names a credit by. */
  readonly id: string;
  readonly kind: "captureReversal" | "credit" | "creditReversal";
  /** What was asked: CapRevOrCredReqAmt, or for a capture reversal the amount captured. */
  readonly amount: schema.CurrencyAmount;
  /** CapRevOrCredReqDate (ISO): dated once, kept for every retry, so the gateway knows a repeat. */
  readonly reqDate: string;
  /** For a credit reversal, the credit (its id) it takes back. */
  readonly creditId?: string;
  /** The key the shop called with, when it gave one. */
  readonly idempotencyKey?: string;
  /** The batch the request named (its item's NewBatchID); absent, the gateway's open batch. */
  readonly newBatchID?: number;
  /** The gateway's CapRevOrCredCode and CapRevOrCredActualAmt, once it answered. */
  readonly code?: string;
  readonly actualAmt?: schema.CurrencyAmount;
  /** The settlement batch the gateway booked it into, and its place there (BatchSequenceNum). */
  readonly batchID?: number;
  readonly batchSequenceNum?: number;
  /** Why the last attempt gave no usable answer (the stored request is sent again on the next call). */
  readonly failure?: string;
}

export interface Order extends NewOrder {
  readonly id: number;
  /** The key `createOrder` was called with, when the shop gave one. */
  readonly idempotencyKey?: string;
  /** LID-M, the label PInitReq names the order by: `order-<id>`. */
  readonly lidM: string;
  readonly state: OrderState;
  readonly createdAt: string;
  /** XID, issued in PInitRes (hex). */
  readonly xid?: string;
  readonly purchase?: PurchaseContext;
  readonly authorization?: Authorization;
}

export interface HistoryEntry {
  readonly state: OrderState;
  readonly at: string;
  readonly detail: string;
}

export type Party = "cardholder" | "merchant" | "gateway";

/** One SET message of an order, as it crossed the wire. */
export interface StoredMessage {
  readonly seq: number;
  readonly from: Party;
  readonly to: Party;
  /** The Message CHOICE alternative: purchaseInitRequest, authorizationResponse, error... */
  readonly type: string;
  readonly der: Uint8Array;
  readonly at: string;
}

/** LID-M is this prefix and the order's id (the store builds it in SQL from the new row's id). */
export const lidMPrefix = "order-";
export const lidMOf = (id: number): string => `${lidMPrefix}${id}`;
