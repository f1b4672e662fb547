/**
 * Decide phase of an authorization reversal: what `receiveAuthRevReq` judged, then what the ledger
 * says. Pure: the store's view comes in. A reversal that passed is applied only when the record
 * agrees: an approved authorization of this merchant, XID and brand (originalNotFound otherwise),
 * not captured (alreadyCaptured: SET reverses an authorization only while uncaptured; captured
 * money goes back by CapRev or Cred), its hold still live at `at` (declined: nothing is held to
 * reverse any more), and the new amount still below what it holds (amountError).
 */
import { type JudgedAuthReversal, type schema, toHex } from "@setlab/protocol";
import type { HoldChange } from "../store/authReversalLedger";
import type { AuthorizationRow } from "../store/gatewayStore";

export interface AuthReversalLedgerView {
  readonly authorization: (authRRPID: string) => AuthorizationRow | undefined;
  readonly captured: (authRRPID: string) => boolean;
}

export interface AuthReversalDecision {
  readonly authRevCode: schema.AuthRevCode;
  /** Present when approved: what the write does to the hold. */
  readonly hold?: HoldChange;
  /** For the log (never a PAN). */
  readonly reason: string;
}

export function decideAuthReversal(
  judged: JudgedAuthReversal,
  merID: string,
  brand: string,
  ledger: AuthReversalLedgerView,
  at: Date,
): AuthReversalDecision {
  if (judged.kind === "refused") return { authRevCode: judged.authRevCode, reason: judged.reason };
  const authRRPID = toHex(judged.authRRPID);
  const row = ledger.authorization(authRRPID);
  if (row?.authCode !== "approved" || !row.cardId)
    return { authRevCode: "originalNotFound", reason: "no approved authorization on record" };
  if (row.merchantID !== merID || row.xid !== toHex(judged.xid) || row.brand !== brand)
    return {
      authRevCode: "originalNotFound",
      reason: "the authorization on record is another merchant's, XID's or brand's",
    };
  if (ledger.captured(authRRPID))
    return {
      authRevCode: "alreadyCaptured",
      reason: "the authorization is captured: CapRev or Cred returns it",
    };
  if (row.held <= 0 || (row.holdUntil !== undefined && row.holdUntil <= at.toISOString()))
    return { authRevCode: "declined", reason: "the authorization's hold has lapsed or was released" };
  // Judged before the decisions were serialized: another reversal may have lowered it since.
  if (judged.newAmount >= BigInt(row.held))
    return { authRevCode: "amountError", reason: "AuthNewAmt is not below what the authorization holds now" };
  const to = Number(judged.newAmount);
  return {
    authRevCode: "approved",
    hold: { from: row.held, to },
    reason: to === 0 ? "authorization cancelled" : "authorization reduced",
  };
}
