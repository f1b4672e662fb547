/**
 * Sale: an AuthReq with CaptureNow is authorized and captured at once (digest 3.5). The AuthRes
 * carries the capture's answer (AuthResPayload.CapResPayload, CapCode success for the AuthAmt
 * approved); the authorization is recorded with its hold already ended and, in the same write,
 * its capture and the issuer's posting (store/captureLedger.ts). A declined sale captures nothing.
 */
import type { schema } from "@setlab/protocol";
import type { CaptureRow } from "../store/captureLedger";
import type { AuthorizationRow } from "../store/gatewayStore";
import type { AuthDecision } from "./authResData";

export const isSale = (request: schema.AuthReqData, decision: AuthDecision): boolean =>
  request.captureNow && decision.authCode === "approved";

export const saleCapResPayload = (authAmt: schema.CurrencyAmount): schema.CapResPayload => ({
  capCode: "success",
  capAmt: authAmt,
});

/** The authorization row of a sale (its hold ends as it is taken) and the capture booked with it. */
export function saleRecord(row: AuthorizationRow): { row: AuthorizationRow; capture: CaptureRow } {
  return {
    row: { ...row, holdUntil: row.created },
    capture: {
      authRRPID: row.authRRPID,
      amount: row.held,
      currency: row.currency,
      cardId: row.cardId!,
      created: row.created,
    },
  };
}
