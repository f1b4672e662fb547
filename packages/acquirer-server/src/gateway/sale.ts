/**
 * Sale: an AuthReq with CaptureNow is authorized and captured at once (digest 3.5). The AuthRes
 * carries the capture's answer (AuthResPayload.CapResPayload, CapCode success for the AuthAmt
 * approved, with the BatchID and BatchSequenceNum of the merchant's open batch it went into); the
 * authorization is recorded with its hold already ended and, in the same write, its capture, the
 * issuer's posting (store/captureLedger.ts) and its batch item (./batchPlacement.ts). The AuthRes
 * also carries the authorization's CapToken, as any approval does: the ledger holds the sale's
 * capture like any other, so credits, credit reversals and a capture reversal name it with that
 * token, and a CapReq with it is refused as a second capture. A declined sale captures nothing.
 */
import type { schema } from "@setlab/protocol";
import type { CaptureRow } from "../store/captureLedger";
import type { AuthorizationRow } from "../store/gatewayStore";
import type { AuthDecision } from "./authResData";

export const isSale = (request: schema.AuthReqData, decision: AuthDecision): boolean =>
  request.captureNow && decision.authCode === "approved";

export const saleCapResPayload = (
  authAmt: schema.CurrencyAmount,
  batch?: { readonly batchID: number; readonly batchSequenceNum: number },
): schema.CapResPayload => ({
  capCode: "success",
  capAmt: authAmt,
  ...(batch ? { batchID: batch.batchID, batchSequenceNum: batch.batchSequenceNum } : {}),
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
