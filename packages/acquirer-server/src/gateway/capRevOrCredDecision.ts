/**
 * Decide phase of a capture reversal, credit or credit reversal: per item protocol judged, what
 * the ledger says. Pure: the store's view comes in. An item whose CapToken passed acts only on a
 * capture of the gateway's own record for this merchant, XID and brand (unknownXID otherwise), and
 * only as far as protocol's `judgeAgainstCapture` allows against that capture as it stands now.
 */
import {
  type CapRevOrCredKind,
  type CaptureStanding,
  currencyByCode,
  type JudgedCapRevOrCredItem,
  judgeAgainstCapture,
  type schema,
  toHex,
} from "@setlab/protocol";
import type { CapRevOrCredRow } from "../store/creditLedger";
import type { AuthorizationRow } from "../store/gatewayStore";

export interface CapRevOrCredLedgerView {
  readonly authorization: (authRRPID: string) => AuthorizationRow | undefined;
  readonly capture: (authRRPID: string) => CaptureStanding | undefined;
}

export interface CapRevOrCredDecision {
  readonly code: schema.CapRevOrCredCode;
  readonly actual: schema.CurrencyAmount;
  readonly item: schema.CapRevOrCredReqItem;
  /** Present when booked: what the write records. */
  readonly row?: CapRevOrCredRow;
  /** Where it was booked (./batchPlacement.ts). */
  readonly batch?: { readonly batchID: number; readonly batchSequenceNum: number };
  /** For the log (never a PAN). */
  readonly reason: string;
}

/** The item's amount field, or the capture's, as a CurrencyAmount: nothing moved. */
const nothing = (item: schema.CapRevOrCredReqItem): schema.CurrencyAmount => ({
  ...(item.capRevOrCredReqAmt ?? item.capPayload.capReqAmt),
  amount: 0,
});

export function decideCapRevOrCreds(
  kind: CapRevOrCredKind,
  items: readonly JudgedCapRevOrCredItem[],
  merID: string,
  brand: string,
  ledger: CapRevOrCredLedgerView,
): CapRevOrCredDecision[] {
  return items.map((judged) => {
    const { item } = judged;
    const refuse = (code: schema.CapRevOrCredCode, reason: string): CapRevOrCredDecision => ({
      code,
      actual: nothing(item),
      item,
      reason,
    });
    if (judged.kind === "refused") return refuse(judged.code, judged.reason);
    const authRRPID = toHex(item.authRRPID);
    const row = ledger.authorization(authRRPID);
    if (
      !row?.cardId ||
      row.merchantID !== merID ||
      row.xid !== toHex(item.transIDs.xid) ||
      row.brand !== brand
    )
      return refuse("unknownXID", "no authorization of this merchant, XID and brand on record");
    const verdict = judgeAgainstCapture(kind, judged, ledger.capture(authRRPID));
    if (!verdict.ok) return refuse(verdict.code, verdict.reason);
    return {
      code: "success",
      // In the currency's minor units: the merchant compares amounts exactly, whatever the exponent.
      actual: {
        currency: judged.currency,
        amount: Number(verdict.amount),
        amtExp10: -(currencyByCode(judged.currency)?.exponent ?? 0),
      },
      item,
      row: {
        authRRPID,
        kind,
        reqDate: item.capRevOrCredReqDate.toISOString(),
        amount: Number(verdict.amount),
        currency: judged.currency,
        cardId: row.cardId,
      },
      reason: kind,
    };
  });
}
