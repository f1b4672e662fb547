/**
 * What an InqRes tells the cardholder about a purchase (pure): the order's current state as a
 * PResPayload, the same payload a PRes would carry for that state (authorizationOutcome.ts):
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
 * Every state is named here: a new one must say what the buyer hears.
 * AcqCardMsg is not kept with the order, so an InqRes never carries it (the PRes did).
 */
import { type schema, wholeSeconds } from "@setlab/protocol";
import type { Order } from "./order";

function authStatus(order: Order): schema.AuthStatus | undefined {
  const a = order.authorization;
  if (!a?.authAmt || !a.authDate) return undefined;
  return { authDate: wholeSeconds(new Date(a.authDate)), authAmt: a.authAmt };
}

/** The credits that stand: successful, and not taken back by a successful credit reversal. */
function standingCredits(order: Order): schema.CredStatus[] {
  const all = order.authorization?.capRevOrCreds ?? [];
  const reversed = new Set(
    all.filter((c) => c.kind === "creditReversal" && c.code === "success").map((c) => c.creditId),
  );
  return all
    .filter((c) => c.kind === "credit" && c.code === "success" && !reversed.has(c.id))
    .map((c) => ({ creditDate: wholeSeconds(new Date(c.reqDate)), creditAmt: c.actualAmt ?? c.amount }))
    .slice(-16);
}

function capStatus(order: Order): schema.CapStatus | undefined {
  const c = order.authorization?.capture;
  if (!c?.capAmt || c.capCode !== "success") return undefined;
  return { capDate: wholeSeconds(new Date(c.at)), capAmt: c.capAmt };
}

export function inquiryPayload(order: Order, xidHex: string): schema.PResPayload {
  if (order.xid !== xidHex) return { completionCode: "orderRejected" };
  switch (order.state) {
    case "authorized":
    case "partiallyAuthorized": {
      const auth = authStatus(order);
      return auth
        ? { completionCode: "authorizationPerformed", results: { authStatus: auth } }
        : { completionCode: "orderReceived" };
    }
    case "captured":
    case "partiallyCaptured": {
      const auth = authStatus(order);
      const cap = capStatus(order);
      return auth && cap
        ? { completionCode: "capturePerformed", results: { authStatus: auth, capStatus: cap } }
        : { completionCode: "orderReceived" };
    }
    case "partiallyRefunded":
    case "refunded":
    case "refundReversed": {
      const auth = authStatus(order);
      const cap = capStatus(order);
      if (!auth || !cap) return { completionCode: "orderReceived" };
      const credits = standingCredits(order);
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
      const unnamed: never = order.state;
      throw new Error(`no inquiry answer for order state ${String(unnamed)}`);
    }
  }
}
