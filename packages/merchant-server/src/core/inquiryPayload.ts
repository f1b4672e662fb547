/**
 * What an InqRes tells the cardholder about a purchase (pure): one PResPayload per authorization
 * of the purchase (SET's PResPayloadSeq, "one per split shipment"), each the payload a PRes would
 * carry for that authorization's state (authorizationOutcome.ts):
 * - `authorizing` (the authorization in flight or in doubt): orderReceived, nothing more;
 * - `authorized`, `partiallyAuthorized`: authorizationPerformed with AuthStatus;
 * - `captured`, `partiallyCaptured`: capturePerformed with AuthStatus and CapStatus;
 * - `declined`, `authorizationFailed`: orderRejected (nothing was authorized, and this XID will
 *   not be); likewise an XID whose attempt a later one replaced (the order took another XID,
 *   which happens only after a decline or a failure that authorized nothing);
 * - `reversed` (the merchant cancelled the authorization): orderRejected, nothing stays
 *   authorized; a reduced authorization stays `authorized` and reports its lowered AuthAmt;
 * - `partiallyRefunded`, `refunded`, `refundReversed`: creditPerformed with AuthStatus, CapStatus
 *   and a CredStatus per credit still standing (not taken back by a credit reversal), or
 *   capturePerformed when none stands;
 * - `captureReversed` (the capture undone, the hold not restored: nothing is charged):
 *   orderRejected.
 * The first payload is the first authorization's (the order's state); then each later
 * authorization the gateway approved with the AuthToken (a split shipment's parts, installments,
 * recurring payments), in order, by its own state (`laterPartState`); its refused attempts held
 * nothing and are not told. SET allows 16 payloads: past 15 later authorizations, the first one
 * and the 15 latest. Every state is named here: a new one must say what the buyer hears.
 * AcqCardMsg is not kept with the order, so an InqRes never carries it (the PRes did).
 */
import { type schema, wholeSeconds } from "@setlab/protocol";
import { type AuthorizationPart, laterPartState } from "./authorizationPart";
import type { Order } from "./order";
import type { OrderState } from "./orderState";

/** PResData.PResPayloadSeq's bound (SIZE(1..16)). */
const maxPayloads = 16;

/** What a status is read from: one authorization's records, and when it was approved. */
type Statused = Pick<AuthorizationPart, "authAmt" | "capture" | "capRevOrCreds"> & {
  readonly authDate?: string;
};

function authStatus(a: Statused): schema.AuthStatus | undefined {
  if (!a.authAmt || !a.authDate) return undefined;
  return { authDate: wholeSeconds(new Date(a.authDate)), authAmt: a.authAmt };
}

/** The credits that stand: successful, and not taken back by a successful credit reversal. */
function standingCredits(a: Statused): schema.CredStatus[] {
  const all = a.capRevOrCreds ?? [];
  const reversed = new Set(
    all.filter((c) => c.kind === "creditReversal" && c.code === "success").map((c) => c.creditId),
  );
  return all
    .filter((c) => c.kind === "credit" && c.code === "success" && !reversed.has(c.id))
    .map((c) => ({ creditDate: wholeSeconds(new Date(c.reqDate)), creditAmt: c.actualAmt ?? c.amount }))
    .slice(-16);
}

function capStatus(a: Statused): schema.CapStatus | undefined {
  const c = a.capture;
  if (!c?.capAmt || c.capCode !== "success") return undefined;
  return { capDate: wholeSeconds(new Date(c.at)), capAmt: c.capAmt };
}

/** The payload of one authorization in `state`, read from its records. */
function payloadOf(state: OrderState, a: Statused): schema.PResPayload {
  switch (state) {
    case "authorized":
    case "partiallyAuthorized": {
      const auth = authStatus(a);
      return auth
        ? { completionCode: "authorizationPerformed", results: { authStatus: auth } }
        : { completionCode: "orderReceived" };
    }
    case "captured":
    case "partiallyCaptured": {
      const auth = authStatus(a);
      const cap = capStatus(a);
      return auth && cap
        ? { completionCode: "capturePerformed", results: { authStatus: auth, capStatus: cap } }
        : { completionCode: "orderReceived" };
    }
    case "partiallyRefunded":
    case "refunded":
    case "refundReversed": {
      const auth = authStatus(a);
      const cap = capStatus(a);
      if (!auth || !cap) return { completionCode: "orderReceived" };
      const credits = standingCredits(a);
      return credits.length > 0
        ? {
            completionCode: "creditPerformed",
            results: { authStatus: auth, capStatus: cap, credStatusSeq: credits },
          }
        : { completionCode: "capturePerformed", results: { authStatus: auth, capStatus: cap } };
    }
    case "declined":
    case "authorizationFailed":
    case "reversed":
    case "captureReversed":
      return { completionCode: "orderRejected" };
    case "created":
    case "initiated":
    case "purchaseRequested":
    case "authorizing":
      return { completionCode: "orderReceived" };
    default: {
      const unnamed: never = state;
      throw new Error(`no inquiry answer for order state ${String(unnamed)}`);
    }
  }
}

/** Each authorization's payload with its number (1 the first, as `authorization` options count). */
export function numberedInquiryPayloads(
  order: Order,
  xidHex: string,
): { authorization: number; payload: schema.PResPayload }[] {
  if (order.xid !== xidHex) return [{ authorization: 1, payload: { completionCode: "orderRejected" } }];
  const first = payloadOf(order.state, order.authorization ?? {});
  // The approved ones, as authorizationParts numbers them; a record kept before the approval's
  // date was reads its request's.
  const later = (order.authorization?.subsequent ?? [])
    .filter((s) => s.authCode === "approved")
    .slice(-(maxPayloads - 1))
    .map((s) => ({
      authorization: s.part,
      payload: payloadOf(laterPartState(s), { ...s, authDate: s.authDate ?? s.at }),
    }));
  return [{ authorization: 1, payload: first }, ...later];
}

/** The PResPayloadSeq an InqRes about XID `xidHex` carries: the first authorization's payload first. */
export const inquiryPayloads = (order: Order, xidHex: string): schema.PResPayload[] =>
  numberedInquiryPayloads(order, xidHex).map((n) => n.payload);
