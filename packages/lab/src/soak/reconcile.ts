/**
 * After a soak has settled: what became of each purchase, by the three records that can tell: the
 * buyer's outcome (the mediator's), the merchant's order (`GET /orders/:id`) and the gateway's
 * authorizations of its XID (`GET /admin/authorizations?xid=`). Pure.
 *
 * A purchase is LOST when
 *   - the merchant's order is not settled (still `authorizing`), or either record cannot be read;
 *   - merchant and gateway disagree: the gateway approved and the order is not authorized
 *     (`authorized`, `partiallyAuthorized`: an approval for less than asked, or either captured
 *     or cancelled since: `reversed`, `captured`, `partiallyCaptured` and what follows a capture), the gateway only declined and the order is not
 *     `declined`, the gateway has nothing and the order says it was authorized or declined;
 *   - the buyer was told approved and the order is not `authorized` or captured (in full or in
 *     part) or cancelled since, partiallyApproved and it is not `partiallyAuthorized`,
 *     `partiallyCaptured` or `reversed`,
 *     declined and it is not `declined`.
 * Otherwise it counts by what the buyer was told: approved -> completed, partiallyApproved ->
 * partial, declined -> declined, anything else (refused, orderReceived, failed, error) -> failed.
 */

export type Verdict = "completed" | "partial" | "declined" | "failed" | "lost";

export interface BuyerOutcome {
  /** approved | partiallyApproved | declined | orderReceived | refused | failed | error */
  readonly outcome: string;
  readonly xid?: string;
  readonly reason?: string;
}

export interface MerchantOrder {
  readonly state: string;
  readonly xid?: string | null;
  /** What the gateway authorized and captured, as the merchant recorded it (the ledger check). */
  readonly authorization?: {
    readonly authAmt?: { readonly amount: number };
    readonly capture?: { readonly capCode?: string; readonly capAmt?: { readonly amount: number } };
    /** Capture reversals, credits and credit reversals, with the gateway's code and amount once answered. */
    readonly capRevOrCreds?: readonly {
      readonly kind: string;
      readonly code?: string;
      readonly actualAmt?: { readonly amount: number };
    }[];
  } | null;
}

export interface GatewayAuthorization {
  readonly authCode: string;
}

export interface PurchaseRecords {
  readonly buyer: BuyerOutcome;
  /** Absent when no order was created. */
  readonly orderId?: string;
  /** Absent when the merchant did not answer for an order that exists. */
  readonly order?: MerchantOrder;
  /** Absent when the gateway did not answer; empty when it has nothing for the XID (or there is no XID). */
  readonly authorizations?: readonly GatewayAuthorization[];
}

export interface Reconciled {
  readonly verdict: Verdict;
  /** Why a purchase is lost. */
  readonly reason?: string;
}

const byBuyer: Record<string, Verdict> = {
  approved: "completed",
  partiallyApproved: "partial",
  declined: "declined",
};

/** An order captured, and what may follow the capture. */
const afterCapture = [
  "captured",
  "partiallyCaptured",
  "partiallyRefunded",
  "refunded",
  "refundReversed",
  "captureReversed",
];

/** What the buyer was told, and the order states that may go with it (captures come later). */
const orderStatesFor: Record<string, readonly string[]> = {
  approved: ["authorized", "reversed", ...afterCapture],
  partiallyApproved: ["partiallyAuthorized", "reversed", ...afterCapture.filter((s) => s !== "captured")],
  declined: ["declined"],
};

/** An order the gateway approved: authorized, or since captured or cancelled (AuthRev). */
const authorizedStates = ["authorized", "partiallyAuthorized", "reversed", ...afterCapture];

export function reconcile(r: PurchaseRecords): Reconciled {
  const lost = (reason: string): Reconciled => ({ verdict: "lost", reason });
  if (r.orderId === undefined) {
    if (orderStatesFor[r.buyer.outcome] !== undefined)
      return lost(`the buyer was told ${r.buyer.outcome} for no order`);
    return { verdict: "failed" };
  }
  if (!r.order) return lost("the merchant's order could not be read");
  if (!r.authorizations) return lost("the gateway's record could not be read");
  const state = r.order.state;
  if (state === "authorizing") return lost("the order is still authorizing");
  const approved = r.authorizations.some((a) => a.authCode === "approved");
  const gateway = approved ? "approved" : r.authorizations.length > 0 ? "declined" : "nothing";
  if (gateway === "approved" && !authorizedStates.includes(state))
    return lost(`the gateway approved the XID, the merchant's order is ${state}`);
  if (gateway === "declined" && state !== "declined")
    return lost(`the gateway declined the XID, the merchant's order is ${state}`);
  if (gateway === "nothing" && (authorizedStates.includes(state) || state === "declined"))
    return lost(`the merchant's order is ${state}, the gateway has no authorization for its XID`);
  const expected = orderStatesFor[r.buyer.outcome];
  if (expected !== undefined && !expected.includes(state))
    return lost(`the buyer was told ${r.buyer.outcome}, the merchant's order is ${state}`);
  return { verdict: byBuyer[r.buyer.outcome] ?? "failed" };
}
