/**
 * What a definite answer of the gateway means for the order (pure): its new state, the PRes
 * payload the cardholder gets, and the authorization as recorded:
 * - approved: CompletionCode authorizationPerformed, Results.AuthStatus {AuthDate, AuthAmt};
 * - partially approved: the same, with the smaller AuthAmt, and the order `partiallyAuthorized`;
 * - declined (any other AuthCode, or an approval of 0): CompletionCode orderRejected, no AuthStatus;
 * - failed (an Error, an unusable AuthRes, no gateway): CompletionCode orderReceived;
 * - a sale (CaptureNow) the gateway captured: CompletionCode capturePerformed with AuthStatus and
 *   CapStatus, the order `captured` (`partiallyCaptured` for a partial approval). A sale whose
 *   capture the gateway refused stays an authorization.
 */
import { encodeDer, schema, toHex } from "@setlab/protocol";
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
  const base: Authorization = {
    authRRPID: toHex(asked.authRRPID),
    gateway: asked.brand.gateway.id,
    ...(asked.authReqData ? { authReqData: asked.authReqData } : {}),
  };
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
  const capToken = result.baggage.capToken;
  const authToken = result.baggage.authToken;
  const authorization: Authorization = {
    ...base,
    ...(authToken ? { authToken: toHex(encodeDer(schema.AuthToken, authToken)) } : {}),
    ...(capToken && capToken.type !== "none"
      ? { capToken: toHex(encodeDer(schema.CapToken, capToken)) }
      : {}),
    authCode: header.authCode,
    authAmt: header.authAmt,
    authDate: date.toISOString(),
    ...(approvalCode ? { approvalCode } : {}),
  };
  const capResPayload = result.data.authResPayload.capResPayload;
  if (result.kind !== "declined" && result.capture === "captured" && capResPayload) {
    // A sale the gateway captured with the authorization: CompletionCode capturePerformed, with
    // both statuses; the order is paid, in full or (a partial approval) in part.
    const payload: schema.PResPayload = {
      completionCode: "capturePerformed",
      results: {
        ...(acqCardMsg ? { acqCardMsg } : {}),
        authStatus: { authDate: date, authAmt: header.authAmt },
        capStatus: { capDate: date, capAmt: capResPayload.capAmt },
      },
    };
    return {
      state: result.kind === "approved" ? "captured" : "partiallyCaptured",
      payload,
      detail: `sold: AuthAmt ${header.authAmt.amount}e${header.authAmt.amtExp10} captured with the authorization`,
      authorization: {
        ...authorization,
        completionCode: payload.completionCode,
        capture: {
          capReqAmt: header.authAmt,
          capCode: capResPayload.capCode,
          capAmt: capResPayload.capAmt,
          ...(capResPayload.batchID !== undefined ? { batchID: capResPayload.batchID } : {}),
          ...(capResPayload.batchSequenceNum !== undefined
            ? { batchSequenceNum: capResPayload.batchSequenceNum }
            : {}),
          at: date.toISOString(),
        },
      },
    };
  }
  if (result.kind === "partial" || result.kind === "approved") {
    // SET's answer for an issuer that approved less than asked is the approval's: the PRes says the
    // authorization was performed and AuthStatus.AuthAmt says for how much; the order is not
    // `authorized`, so nothing treats a partial approval as paid in full.
    const partial = result.kind === "partial";
    const payload: schema.PResPayload = {
      completionCode: "authorizationPerformed",
      results: {
        ...(acqCardMsg ? { acqCardMsg } : {}),
        authStatus: { authDate: date, authAmt: header.authAmt },
      },
    };
    const authAmt = `AuthAmt ${header.authAmt.amount}e${header.authAmt.amtExp10}`;
    return {
      state: partial ? "partiallyAuthorized" : "authorized",
      payload,
      detail: partial ? `partially approved: ${authAmt}, less than the amount asked` : `approved: ${authAmt}`,
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
