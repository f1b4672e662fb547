/**
 * Record phase: the one row that stores an answered AuthReq (the decision, the hold, the request's
 * fingerprint and the AuthRes bytes a retry gets). Pure; the store writes it in one transaction.
 */
import { toHex } from "@setlab/protocol";
import type { AuthorizationRow } from "../store/gatewayStore";
import type { AuthorizationPolicy } from "./authorizationPolicy";
import type { AuthDecision } from "./authResData";
import type { TakenAuthReq } from "./takenAuthReq";

export function authorizationRow(
  taken: TakenAuthReq,
  decision: AuthDecision,
  response: Uint8Array,
  lifetimes: Pick<AuthorizationPolicy, "holdLifetimeMs" | "partialHoldLifetimeMs">,
): AuthorizationRow {
  const { authTags: tags, authReqPayload } = taken.data.authReqItem;
  const amount = authReqPayload.authReqAmt;
  return {
    authRRPID: toHex(tags.authRRTags.rrpid),
    xid: toHex(tags.transIDs.xid),
    merchantID: taken.merID,
    brand: taken.keys.brand,
    amount: amount.amount,
    currency: amount.currency,
    amtExp10: amount.amtExp10,
    authCode: decision.authCode,
    ...(decision.respReason ? { respReason: decision.respReason } : {}),
    ...(decision.approvalCode ? { approvalCode: decision.approvalCode } : {}),
    held: decision.hold,
    ...(decision.hold > 0 ? { holdUntil: holdUntil(taken.at, decision, lifetimes) } : {}),
    ...(decision.cardId ? { cardId: decision.cardId } : {}),
    requestHash: taken.fingerprint,
    response,
    created: taken.at.toISOString(),
  };
}

/** When a hold taken at `at` lapses: a partial approval's sooner (AuthorizationPolicy). */
function holdUntil(
  at: Date,
  decision: AuthDecision,
  lifetimes: Pick<AuthorizationPolicy, "holdLifetimeMs" | "partialHoldLifetimeMs">,
): string {
  const lifetime = decision.partial ? lifetimes.partialHoldLifetimeMs : lifetimes.holdLifetimeMs;
  return new Date(at.getTime() + lifetime).toISOString();
}
