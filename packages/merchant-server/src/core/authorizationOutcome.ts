/**
 * What a definite answer of the gateway means for the order (pure): its new state, the PRes
 * payload the cardholder gets, and the authorization as recorded:
 * - approved: CompletionCode authorizationPerformed, Results.AuthStatus {AuthDate, AuthAmt};
 * - partially approved: the same, with the smaller AuthAmt, and the order `partiallyAuthorized`;
 * - declined (any other AuthCode, or an approval of 0): CompletionCode orderRejected, no AuthStatus;
 * - failed (an Error, an unusable AuthRes, no gateway): CompletionCode orderReceived.
 */
import { type schema, toHex } from "@setlab/protocol";
import type { Asked } from "./askGateway";
import type { AuthorizationResult } from "./authorization";
import type { Authorization } from "./order";
import type { OrderState } from "./orderState";

/** The order's new state, the PRes payload and the authorization record for a definite answer. */
export function outcomeOf(
  asked: Asked,
  result: AuthorizationResult,
  date: Date,
): { state: OrderState; payload: schema.PResPayload; authorization: Authorization; detail: string } {
  const base: Authorization = { authRRPID: toHex(asked.authRRPID), gateway: asked.brand.gateway.id };
  if (result.kind === "failed") {
    const payload: schema.PResPayload = { completionCode: "orderReceived" };
    return {
      state: "authorizationFailed",
      payload,
      detail: result.reason,
      authorization: {
        ...base,
        completionCode: "orderReceived",
        failure: result.reason,
        // Nothing authorized for certain: the order may be paid again (purchaseAttempts.ts).
        ...(result.authorizedNothing ? { authorizedNothing: true } : {}),
      },
    };
  }
  const header = result.data.authResPayload.authHeader;
  const acqCardMsg = result.baggage.acqCardMsg;
  const approvalCode = header.responseData.authValCodes?.approvalCode;
  const authorization: Authorization = {
    ...base,
    authCode: header.authCode,
    authAmt: header.authAmt,
    authDate: date.toISOString(),
    ...(approvalCode ? { approvalCode } : {}),
  };
  if (result.kind === "partial") {
    // SET's answer for an issuer that approved less than asked: the PRes says the authorization was
    // performed and AuthStatus.AuthAmt says for how much; the order is not `authorized`, so nothing
    // treats it as paid in full.
    const payload: schema.PResPayload = {
      completionCode: "authorizationPerformed",
      results: {
        ...(acqCardMsg ? { acqCardMsg } : {}),
        authStatus: { authDate: date, authAmt: header.authAmt },
      },
    };
    return {
      state: "partiallyAuthorized",
      payload,
      detail: `partially approved: AuthAmt ${header.authAmt.amount}e${header.authAmt.amtExp10}, less than the amount asked`,
      authorization: { ...authorization, completionCode: payload.completionCode },
    };
  }
  if (result.kind === "approved") {
    const payload: schema.PResPayload = {
      completionCode: "authorizationPerformed",
      results: {
        ...(acqCardMsg ? { acqCardMsg } : {}),
        authStatus: { authDate: date, authAmt: header.authAmt },
      },
    };
    return {
      state: "authorized",
      payload,
      detail: `approved: AuthAmt ${header.authAmt.amount}e${header.authAmt.amtExp10}`,
      authorization: { ...authorization, completionCode: payload.completionCode },
    };
  }
  const payload: schema.PResPayload = {
    completionCode: "orderRejected",
    ...(acqCardMsg ? { results: { acqCardMsg } } : {}),
  };
  return {
    state: "declined",
    payload,
    detail:
      header.authCode === "approved"
        ? "declined: approved for AuthAmt 0, which authorizes nothing"
        : `declined: AuthCode ${header.authCode}`,
    authorization: { ...authorization, completionCode: payload.completionCode },
  };
}
