/**
 * Record phase: the one row that stores an answered AuthReq (the decision, the hold, the request's
 * fingerprint and the AuthRes bytes a retry gets). Pure; the store writes it in one transaction.
 */
import { toHex } from "@setlab/protocol";
import type { AuthorizationRow } from "../store/gatewayStore";
import type { AuthorizationPolicy } from "./authorizationPolicy";
import type { AuthDecision } from "./authResData";
import type { SubsequentDecision } from "./subsequentDecision";
import type { TakenAuthReq } from "./takenAuthReq";

/** What a row records of the request itself, whichever message (AuthReq, E1AuthReq) carried it. */
export interface AuthorizationAsked {
  readonly authRRPID: string;
  readonly xid: string;
  readonly merchantID: string;
  readonly brand: string;
  readonly amount: { readonly amount: number; readonly currency: number; readonly amtExp10: number };
  /** The request's fingerprint: a retry with other bytes under the same AuthRRPID is told apart. */
  readonly requestHash: string;
  readonly at: Date;
}

export function authorizationRow(
  taken: TakenAuthReq,
  decision: SubsequentDecision,
  response: Uint8Array,
  lifetimes: Pick<AuthorizationPolicy, "holdLifetimeMs" | "partialHoldLifetimeMs">,
): AuthorizationRow {
  const { authTags: tags, authReqPayload } = taken.data.authReqItem;
  const row = recordOf(
    {
      authRRPID: toHex(tags.authRRTags.rrpid),
      xid: toHex(tags.transIDs.xid),
      merchantID: taken.merID,
      brand: taken.keys.brand,
      amount: authReqPayload.authReqAmt,
      requestHash: taken.fingerprint,
      at: taken.at,
    },
    decision,
    response,
    lifetimes,
  );
  // An authorization made with an AuthToken is linked to its purchase and the token it spent.
  return decision.subsequentOf ? { ...row, subsequentOf: decision.subsequentOf } : row;
}

/** The one row shape for every embodiment's authorization: the decision, its hold and when it lapses. */
export function recordOf(
  asked: AuthorizationAsked,
  decision: AuthDecision,
  response: Uint8Array,
  lifetimes: Pick<AuthorizationPolicy, "holdLifetimeMs" | "partialHoldLifetimeMs">,
): AuthorizationRow {
  return {
    authRRPID: asked.authRRPID,
    xid: asked.xid,
    merchantID: asked.merchantID,
    brand: asked.brand,
    amount: asked.amount.amount,
    currency: asked.amount.currency,
    amtExp10: asked.amount.amtExp10,
    authCode: decision.authCode,
    ...(decision.respReason ? { respReason: decision.respReason } : {}),
    ...(decision.approvalCode ? { approvalCode: decision.approvalCode } : {}),
    held: decision.hold,
    ...(decision.hold > 0 ? { holdUntil: holdUntil(asked.at, decision, lifetimes) } : {}),
    ...(decision.cardId ? { cardId: decision.cardId } : {}),
    requestHash: asked.requestHash,
    response,
    created: asked.at.toISOString(),
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
