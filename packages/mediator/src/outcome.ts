/** What a purchase reports: its outcome and, hop by hop, the trace of what travelled. */
import type { schema } from "@setlab/protocol/relay";

export type OutcomeKind =
  | "approved"
  | "partiallyApproved"
  | "declined"
  | "orderReceived"
  | "refused"
  | "failed";

export type Party = "card" | "mediator" | "merchant";

/** One hop of the purchase, for a trace. Sizes only: never message bytes. */
export interface Step {
  /** The patent step (S32, S33, ...) or the card command for the preliminaries. */
  readonly step: string;
  readonly from: Party;
  readonly to: Party;
  /** The SET message (PInitReq, PReq, ...) or card command (SELECT, VERIFY_PIN). */
  readonly message: string;
  /** Size of what travelled, in bytes. */
  readonly bytes?: number;
  readonly detail?: string;
}

export interface Outcome {
  readonly outcome: OutcomeKind;
  /** The transaction's XID, hex, once the merchant assigned one. */
  readonly xid?: string;
  /** What the card read in the PRes. SET gives the cardholder no AuthCode: it stays between merchant and gateway. */
  readonly completionCode?: string;
  /** The authorized amount when the PRes states one, else the purchase amount. */
  readonly amount?: schema.CurrencyAmount | unknown;
  readonly brand?: string;
  readonly merchant?: { readonly name?: string; readonly merID?: string };
  /** Why the purchase was refused or failed, or the PRes's error: one line, no secrets. */
  readonly reason?: string;
  readonly steps: readonly Step[];
}
