/**
 * The merchant's order states and the transitions between them. Every transition is recorded with
 * its time and a detail line (the order's history), so an operator can see why an order is where it is.
 *
 *   created ──PInitRes──► initiated ──PReq verified──► purchaseRequested ──AuthReq──► authorizing
 *   initiated ──PInitRes (a new XID)──► initiated
 *   authorizing ──AuthRes approved──► authorized
 *   authorizing ──AuthRes approved for less than asked (AuthAmt > 0)──► partiallyAuthorized
 *   authorizing ──AuthRes declined──► declined
 *   authorizing ──gateway unreachable (connection refused), its SET Error, AuthAmt over the ask──► authorizationFailed
 *   declined | authorizationFailed (nothing authorized) ──PInitRes──► initiated
 *   declined | authorizationFailed (nothing authorized) ──PReq verified──► purchaseRequested
 *   authorized | partiallyAuthorized ──CapRes success for the whole purchase amount──► captured
 *   authorized | partiallyAuthorized ──CapRes success for less than the purchase amount──► partiallyCaptured
 *   authorizing ──AuthRes of a sale (CaptureNow) approved and captured──► captured | partiallyCaptured
 *   captured | partiallyCaptured | partiallyRefunded | refundReversed ──CredRes success──► partiallyRefunded | refunded
 *   partiallyRefunded | refunded | refundReversed ──CredRevRes success──► refundReversed
 *   captured | partiallyCaptured | refundReversed (no credit standing) ──CapRevRes success──► captureReversed
 *   authorized | partiallyAuthorized ──AuthRevRes approved, AuthNewAmt zero──► reversed
 *   authorized ──AuthRevRes approved, a lower AuthNewAmt──► authorized (the same for partiallyAuthorized)
 *
 * A PInitReq is unauthenticated (no signature, a guessable LID-M), so it does not consume the
 * order: each PInitRes issues its own XID and Chall-M, and every one stays valid for a PReq until
 * it expires or a PReq under any of them is taken (`pendingPurchase.ts`), so a stranger's PInitReq
 * cannot turn the buyer's PReq away. A PReq the merchant refused leaves the order where it was.
 * A decline, or a failure that authorized nothing, does not close the order either: anybody can
 * get an unsigned PReq declined (an unsigned PReq authenticates nobody), so the buyer may pay
 * again, under a new XID, within the attempt bounds of `purchaseAttempts.ts`. Only an
 * authorization ends the purchase (`authorized`, `partiallyAuthorized`): nothing is authorized twice.
 *
 * An authorization in doubt (a timeout, a dropped connection, a 5xx or an AuthRes damaged on the
 * wire on every attempt: the gateway may have decided) stays `authorizing` with
 * `authorization.inDoubt`; the cardholder hears orderReceived, and the merchant sends the stored
 * AuthReq again until the gateway's decision moves the order on (`Merchant.settleInDoubt`).
 *
 * A later authorization of the purchase (`Merchant.authorizeSubsequent`: a split shipment's next
 * part, the next installment or recurring payment, made with the gateway's AuthToken) leaves the
 * order where it is: authorized | partiallyAuthorized | captured | partiallyCaptured ──AuthRes──►
 * the same state, the decision recorded in the history (a transition to the same state). So do
 * its capture, credits and reversals (the `authorization` option of capture, refund,
 * reverseRefund, reverseCapture), from any state the purchase reaches once authorized.
 *
 * An authorization is captured once (`Merchant.capture`): a partial capture settles it for less and
 * the issuer releases the rest of the hold. A capture the gateway refused (its CapCode) leaves the
 * order where it was.
 *
 * An authorization not yet captured can be reversed (`Merchant.reverseAuthorization`, AuthRev):
 * cancelled, the order is `reversed`, final, the issuer's hold released; reduced, the order stays
 * in its state with the lower AuthAmt (a transition to the same state records it in the history,
 * and announces it with the `reversed` event), capturable up to that amount. A captured order is
 * not reversed: its money goes back by credit. A reversal the gateway refused (its AuthRevCode)
 * leaves the order where it was.
 *
 * After the capture (./capRevOrCred.ts): credits return money up to what was captured
 * (`partiallyRefunded` while some of it is left, `refunded` when all of it is credited); a credit
 * reversal takes a credit back (`refundReversed`, whatever stands credited afterwards); a capture
 * reversal undoes a capture no credit stands against (`captureReversed`, final: the hold is not
 * restored). A refusal or a lost answer leaves the order where it was.
 */
export const orderStates = [
  "created",
  "initiated",
  "purchaseRequested",
  "authorizing",
  "authorized",
  "partiallyAuthorized",
  "declined",
  "authorizationFailed",
  "captured",
  "partiallyCaptured",
  "partiallyRefunded",
  "refunded",
  "refundReversed",
  "captureReversed",
  "reversed",
] as const;
export type OrderState = (typeof orderStates)[number];

const allowed: Readonly<Record<OrderState, readonly OrderState[]>> = {
  created: ["initiated"],
  initiated: ["initiated", "purchaseRequested"],
  purchaseRequested: ["authorizing"],
  authorizing: [
    "authorized",
    "partiallyAuthorized",
    "declined",
    "authorizationFailed",
    "captured",
    "partiallyCaptured",
  ],
  authorized: ["captured", "partiallyCaptured", "authorized", "reversed"],
  partiallyAuthorized: ["captured", "partiallyCaptured", "partiallyAuthorized", "reversed"],
  declined: ["initiated", "purchaseRequested"],
  authorizationFailed: ["initiated", "purchaseRequested"],
  captured: ["partiallyRefunded", "refunded", "captureReversed"],
  partiallyCaptured: ["partiallyRefunded", "refunded", "captureReversed"],
  partiallyRefunded: ["partiallyRefunded", "refunded", "refundReversed"],
  refunded: ["refundReversed"],
  refundReversed: ["partiallyRefunded", "refunded", "refundReversed", "captureReversed"],
  captureReversed: [],
  reversed: [],
};

/** The states whose purchase may be authorized again with its AuthToken: it was authorized. */
export const subsequentlyAuthorizable = [
  "authorized",
  "partiallyAuthorized",
  "captured",
  "partiallyCaptured",
] as const;

/**
 * The states of a purchase that was authorized: whatever its first authorization went through
 * since, a later one's decision, capture, credits and reversals are recorded in the history as a
 * transition to the state the order is in (./authorizationPart.ts).
 */
const laterAuthorizationsRecorded: readonly OrderState[] = [
  ...subsequentlyAuthorizable,
  "partiallyRefunded",
  "refunded",
  "refundReversed",
  "captureReversed",
  "reversed",
];

/** The order's state does not allow the call (code `invalidState`; the message names the state). */
export class OrderStateError extends Error {
  override readonly name = "OrderStateError";
  readonly code = "invalidState";
}

export function canTransition(from: OrderState, to: OrderState): boolean {
  if (from === to && laterAuthorizationsRecorded.includes(from)) return true;
  return allowed[from].includes(to);
}

/** Throws unless `from -> to` is one of the transitions above. */
export function checkTransition(from: OrderState, to: OrderState): void {
  if (!canTransition(from, to)) throw new OrderStateError(`an order cannot go from ${from} to ${to}`);
}

export function isFinal(state: OrderState): boolean {
  return allowed[state].length === 0;
}
