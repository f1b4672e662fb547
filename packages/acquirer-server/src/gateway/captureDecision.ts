/**
 * Decide phase of a capture: per item `receiveCapReq` judged, what the ledger says. Pure: the
 * store's view comes in. An item whose CapToken passed is captured only when the gateway's own
 * record agrees (an approved authorization of this merchant, XID and brand: authDataMissing or
 * invalidAuthData otherwise) and the authorization was not captured before, by an earlier request
 * or an earlier item of this one (duplicateRequest), and its hold is still live at `at`
 * (authExpired), and the amount within what it holds now, after any reduction (amountError): one
 * capture per authorization, a partial capture releasing the rest of the hold.
 */
import { type JudgedCaptureItem, type schema, toHex } from "@setlab/protocol";
import type { CaptureRow } from "../store/captureLedger";
import type { AuthorizationRow } from "../store/gatewayStore";

export interface CaptureLedgerView {
  readonly authorization: (authRRPID: string) => AuthorizationRow | undefined;
  readonly captured: (authRRPID: string) => boolean;
}

export interface CaptureDecision {
  readonly capCode: schema.CapCode;
  readonly capAmt: schema.CurrencyAmount;
  readonly item: schema.CapItem;
  /** Present when captured: what the write books. */
  readonly capture?: Omit<CaptureRow, "capRRPID" | "created">;
  /** For the log (never a PAN). */
  readonly reason: string;
  /** Where the capture was booked (./batchPlacement.ts). */
  readonly batch?: { readonly batchID: number; readonly batchSequenceNum: number };
}

export const none = (item: schema.CapItem, capCode: schema.CapCode, reason: string): CaptureDecision => ({
  capCode,
  capAmt: { ...item.capPayload.capReqAmt, amount: 0 },
  item,
  reason,
});

export function decideCaptures(
  items: readonly JudgedCaptureItem[],
  merID: string,
  brand: string,
  ledger: CaptureLedgerView,
  at: Date,
): CaptureDecision[] {
  return items.map((judged) => {
    const { item } = judged;
    if (judged.kind === "refused") return none(item, judged.capCode, judged.reason);
    const authRRPID = toHex(item.authRRPID);
    const row = ledger.authorization(authRRPID);
    if (row?.authCode !== "approved" || !row.cardId)
      return none(item, "authDataMissing", "no approved authorization on record for the CapToken");
    if (row.merchantID !== merID || row.xid !== toHex(item.transIDs.xid) || row.brand !== brand)
      return none(
        item,
        "invalidAuthData",
        "the authorization on record is another merchant's, XID's or brand's",
      );
    if (ledger.captured(authRRPID))
      return none(item, "duplicateRequest", "the authorization is already captured");
    if (row.held <= 0 || (row.holdUntil !== undefined && row.holdUntil <= at.toISOString()))
      return none(item, "authExpired", "the authorization's hold has lapsed or was released");
    // An AuthRev may have reduced the authorization below the AuthAmt an older CapToken names.
    if (judged.amount > BigInt(row.held))
      return none(item, "amountError", "CapReqAmt is over the authorization as reduced");
    return {
      capCode: "success",
      capAmt: item.capPayload.capReqAmt,
      item,
      capture: {
        authRRPID,
        amount: Number(judged.amount),
        currency: judged.currency,
        cardId: row.cardId,
      },
      reason: judged.amount === judged.authorized ? "captured" : "captured in part",
    };
  });
}
